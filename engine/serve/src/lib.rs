//! `pathwise serve`: the recommender as a durable HTTP/JSON service for learning platforms in
//! any language (see `docs/serve.md`).
//!
//! - [`events`] reads posted events (xAPI statements too, with
//!   [`pathwise_datasets::xapi`], the reader the `xapi` log preset shares), [`store`] keeps them durably ([`store::SqliteStore`]),
//! - [`service::Service`] holds the recommender and the learners' states ([`learners`]); one
//!   writer thread commits the changes of concurrent requests together,
//! - [`routes::router`] is the HTTP surface, [`auth::Tokens`] its bearer tokens.

// A library never prints or exits: it returns what it found and lets the front end decide.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod auth;
pub mod engine;
pub mod error;
pub mod events;
pub mod export;
pub mod learners;
pub mod replies;
pub mod routes;
pub mod service;
pub mod store;
mod writer;

pub use auth::Tokens;
pub use error::ApiError;
pub use routes::router;
pub use service::Service;
pub use store::{SqliteStore, Store};

/// Serves `app` on `listener` until `stop` turns true, then stops accepting connections, lets
/// the requests in flight finish and returns; connections still open `grace` after `stop` are
/// dropped (their clients retry: event ids make a retried post safe).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    stop: tokio::sync::watch::Receiver<bool>,
    grace: std::time::Duration,
) -> std::io::Result<()> {
    let stopped = |mut stop: tokio::sync::watch::Receiver<bool>| async move {
        // A dropped sender also stops the service.
        let _ = stop.wait_for(|stop| *stop).await;
    };
    let server = axum::serve(listener, app).with_graceful_shutdown(stopped(stop.clone()));
    tokio::select! {
        done = server => done,
        () = async { stopped(stop).await; tokio::time::sleep(grace).await } => Ok(()),
    }
}
