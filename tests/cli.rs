//! Integration tests of the `pathwise` binary (see the files beside this one).
