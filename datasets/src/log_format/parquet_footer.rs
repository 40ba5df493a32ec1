//! A bounded check of a Parquet file's footer before polars reads it.
//!
//! polars-parquet 0.55 trusts the footer's Thrift metadata: a list that claims two billion
//! entries is allocated up front (a 110 GB request aborts the process), a boolean field written
//! with another wire type panics, and a schema nested a hundred thousand levels deep overflows the
//! stack. This module checks, in one pass over the footer and without allocating from any length
//! it reads: the `PAR1` magic at both ends, a footer length that fits in the file, and
//! `FileMetaData` in the Thrift compact protocol — every field polars decodes has the wire type
//! the Parquet format gives it, every length and count fits in the bytes that remain, values nest
//! at most [`MAX_NESTING`] deep and the schema tree at most [`MAX_SCHEMA_DEPTH`]. Fields polars
//! skips are walked the way it skips them. The data pages are not checked here.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use pathwise::{Error, Location, Result};

/// The magic bytes at the start and at the end of every Parquet file.
const MAGIC: &[u8; 4] = b"PAR1";

/// The deepest nesting of Thrift values accepted (polars skips unknown values to depth 64).
const MAX_NESTING: usize = 64;

/// The deepest schema tree accepted (polars builds the schema recursively).
const MAX_SCHEMA_DEPTH: usize = 64;

/// Refuses `file` (opened from `path`) unless its footer is well-formed (see the module
/// documentation). The error names the file and says what is wrong. On success the file is
/// rewound to its start.
pub(crate) fn check(path: &Path, file: &mut File) -> Result<()> {
    let name = path.display().to_string();
    let refuse = |why: String| {
        Error::input(
            Location::file(&name),
            format!("not a valid Parquet file: {why}"),
        )
    };
    let io = |e: std::io::Error| Error::io(&name, e);
    let len = file.metadata().map_err(io)?.len();
    if len < 12 {
        return Err(refuse(format!(
            "{len} bytes, too short for the 'PAR1' header and footer"
        )));
    }
    let mut head = [0u8; 4];
    file.read_exact(&mut head).map_err(io)?;
    if &head != MAGIC {
        return Err(refuse(
            "it does not start with the magic bytes 'PAR1'".into(),
        ));
    }
    let mut tail = [0u8; 8];
    file.seek(SeekFrom::Start(len - 8)).map_err(io)?;
    file.read_exact(&mut tail).map_err(io)?;
    if &tail[4..] != MAGIC {
        return Err(refuse(
            "it does not end with the magic bytes 'PAR1' (a truncated file?)".into(),
        ));
    }
    let footer_len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if footer_len > len - 12 {
        return Err(refuse(format!(
            "the footer claims {footer_len} bytes but the file holds {} between its magic bytes",
            len - 12
        )));
    }
    let mut footer = Vec::new();
    file.seek(SeekFrom::Start(len - 8 - footer_len))
        .map_err(io)?;
    file.by_ref()
        .take(footer_len)
        .read_to_end(&mut footer)
        .map_err(io)?;
    file.rewind().map_err(io)?;
    check_metadata(&footer, len - 8 - footer_len)
        .map_err(|why| refuse(format!("malformed footer metadata: {why}")))
}

/// Checks the Thrift-encoded `FileMetaData` in `footer`, whose column chunks must lie in the
/// file's first `data_end` bytes; the error says what and where.
fn check_metadata(footer: &[u8], data_end: u64) -> std::result::Result<(), String> {
    let mut walker = Walker {
        buf: footer,
        pos: 0,
        data_end,
        schema_children: Vec::new(),
    };
    walker
        .structure(&FILE_META_DATA, 0)
        .map_err(|why| format!("{why} (at byte {} of the footer)", walker.pos))?;
    schema_depth_ok(&walker.schema_children)
}

/// A Thrift value as the Parquet format declares it.
#[derive(Debug, Clone, Copy)]
enum Ty {
    Bool,
    Byte,
    I16,
    I32,
    I64,
    Binary,
    List(&'static Ty),
    Struct(&'static Struct),
}

/// A Thrift struct (or union): the fields polars decodes, by id. Other fields are skipped.
#[derive(Debug)]
struct Struct {
    name: &'static str,
    fields: &'static [(i16, Ty)],
}

/// Compact-protocol wire types.
const BOOL_TRUE: u8 = 1;
const BOOL_FALSE: u8 = 2;
const BYTE: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const DOUBLE: u8 = 7;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const STRUCT: u8 = 12;

impl Ty {
    /// The type's name in messages.
    fn name(self) -> &'static str {
        match self {
            Ty::Bool => "bool",
            Ty::Byte => "byte",
            Ty::I16 => "i16",
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::Binary => "binary",
            Ty::List(_) => "list",
            Ty::Struct(s) => s.name,
        }
    }

    /// Whether a value written with wire type `wire` is of this type.
    fn accepts(self, wire: u8) -> bool {
        match self {
            Ty::Bool => wire == BOOL_TRUE || wire == BOOL_FALSE,
            Ty::Byte => wire == BYTE,
            Ty::I16 => wire == I16,
            Ty::I32 => wire == I32,
            Ty::I64 => wire == I64,
            Ty::Binary => wire == BINARY,
            Ty::List(_) => wire == LIST,
            Ty::Struct(_) => wire == STRUCT,
        }
    }
}

const EMPTY: Struct = Struct {
    name: "empty struct",
    fields: &[],
};
const TIME_UNIT: Struct = Struct {
    name: "TimeUnit",
    fields: &[
        (1, Ty::Struct(&EMPTY)),
        (2, Ty::Struct(&EMPTY)),
        (3, Ty::Struct(&EMPTY)),
    ],
};
const TIME: Struct = Struct {
    name: "TimeType",
    fields: &[(1, Ty::Bool), (2, Ty::Struct(&TIME_UNIT))],
};
const LOGICAL_TYPE: Struct = Struct {
    name: "LogicalType",
    fields: &[
        (1, Ty::Struct(&EMPTY)),
        (2, Ty::Struct(&EMPTY)),
        (3, Ty::Struct(&EMPTY)),
        (4, Ty::Struct(&EMPTY)),
        (
            5,
            Ty::Struct(&Struct {
                name: "DecimalType",
                fields: &[(1, Ty::I32), (2, Ty::I32)],
            }),
        ),
        (6, Ty::Struct(&EMPTY)),
        (7, Ty::Struct(&TIME)),
        (8, Ty::Struct(&TIME)),
        (
            10,
            Ty::Struct(&Struct {
                name: "IntType",
                fields: &[(1, Ty::Byte), (2, Ty::Bool)],
            }),
        ),
        (11, Ty::Struct(&EMPTY)),
        (12, Ty::Struct(&EMPTY)),
        (13, Ty::Struct(&EMPTY)),
        (14, Ty::Struct(&EMPTY)),
        (15, Ty::Struct(&EMPTY)),
    ],
};
/// The struct whose field 5 (`num_children`) shapes the schema tree.
const SCHEMA_ELEMENT: Struct = Struct {
    name: "SchemaElement",
    fields: &[
        (1, Ty::I32),
        (2, Ty::I32),
        (3, Ty::I32),
        (4, Ty::Binary),
        (5, Ty::I32),
        (6, Ty::I32),
        (7, Ty::I32),
        (8, Ty::I32),
        (9, Ty::I32),
        (10, Ty::Struct(&LOGICAL_TYPE)),
    ],
};
const STATISTICS: Struct = Struct {
    name: "Statistics",
    fields: &[
        (1, Ty::Binary),
        (2, Ty::Binary),
        (3, Ty::I64),
        (4, Ty::I64),
        (5, Ty::Binary),
        (6, Ty::Binary),
        (7, Ty::Bool),
        (8, Ty::Bool),
    ],
};
const COLUMN_META_DATA: Struct = Struct {
    name: "ColumnMetaData",
    fields: &[
        (1, Ty::I32),
        (2, Ty::List(&Ty::I32)),
        (3, Ty::List(&Ty::Binary)),
        (4, Ty::I32),
        (5, Ty::I64),
        (6, Ty::I64),
        (7, Ty::I64),
        (9, Ty::I64),
        (10, Ty::I64),
        (11, Ty::I64),
        (12, Ty::Struct(&STATISTICS)),
        (14, Ty::I64),
        (15, Ty::I32),
    ],
};
const COLUMN_CHUNK: Struct = Struct {
    name: "ColumnChunk",
    fields: &[
        (1, Ty::Binary),
        (2, Ty::I64),
        (3, Ty::Struct(&COLUMN_META_DATA)),
        (4, Ty::I64),
        (5, Ty::I32),
        (6, Ty::I64),
        (7, Ty::I32),
    ],
};
const SORTING_COLUMN: Struct = Struct {
    name: "SortingColumn",
    fields: &[(1, Ty::I32), (2, Ty::Bool), (3, Ty::Bool)],
};
const ROW_GROUP: Struct = Struct {
    name: "RowGroup",
    fields: &[
        (1, Ty::List(&Ty::Struct(&COLUMN_CHUNK))),
        (2, Ty::I64),
        (3, Ty::I64),
        (4, Ty::List(&Ty::Struct(&SORTING_COLUMN))),
        (5, Ty::I64),
        (6, Ty::I64),
        (7, Ty::I16),
    ],
};
const KEY_VALUE: Struct = Struct {
    name: "KeyValue",
    fields: &[(1, Ty::Binary), (2, Ty::Binary)],
};
const COLUMN_ORDER: Struct = Struct {
    name: "ColumnOrder",
    fields: &[(1, Ty::Struct(&EMPTY)), (2, Ty::Struct(&EMPTY))],
};
const FILE_META_DATA: Struct = Struct {
    name: "FileMetaData",
    fields: &[
        (1, Ty::I32),
        (2, Ty::List(&Ty::Struct(&SCHEMA_ELEMENT))),
        (3, Ty::I64),
        (4, Ty::List(&Ty::Struct(&ROW_GROUP))),
        (5, Ty::List(&Ty::Struct(&KEY_VALUE))),
        (6, Ty::Binary),
        (7, Ty::List(&Ty::Struct(&COLUMN_ORDER))),
    ],
};

/// One pass over the footer bytes.
struct Walker<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Where the column data ends (the footer follows).
    data_end: u64,
    /// `num_children` of every schema element, in order (0 when absent).
    schema_children: Vec<i64>,
}

type Step = std::result::Result<(), String>;

impl Walker<'_> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn byte(&mut self) -> std::result::Result<u8, String> {
        let b = *self
            .buf
            .get(self.pos)
            .ok_or("the metadata ends in the middle of a value")?;
        self.pos += 1;
        Ok(b)
    }

    /// An unsigned LEB128 varint of at most 10 bytes.
    fn varint(&mut self) -> std::result::Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a varint longer than 10 bytes".into())
    }

    fn zigzag(&mut self) -> std::result::Result<i64, String> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn skip(&mut self, n: u64, what: &str) -> Step {
        if n > self.remaining() as u64 {
            return Err(format!(
                "{what} of {n} bytes, but only {} remain",
                self.remaining()
            ));
        }
        self.pos += n as usize;
        Ok(())
    }

    /// A value of wire type `wire`, of type `ty` when polars decodes it (`None`: skipped).
    fn value(&mut self, wire: u8, ty: Option<Ty>, depth: usize) -> Step {
        if depth > MAX_NESTING {
            return Err(format!("values nested more than {MAX_NESTING} deep"));
        }
        match wire {
            BOOL_TRUE | BOOL_FALSE => Ok(()),
            BYTE => self.byte().map(drop),
            I16 | I32 | I64 => self.varint().map(drop),
            DOUBLE => self.skip(8, "a double"),
            BINARY => {
                let n = self.varint()?;
                self.skip(n, "a string")
            }
            LIST => self.list(ty, depth),
            STRUCT => match ty {
                Some(Ty::Struct(s)) => self.structure(s, depth + 1),
                _ => self.structure(&EMPTY, depth + 1),
            },
            other => Err(format!(
                "wire type {other}, which Parquet metadata does not use"
            )),
        }
    }

    fn list(&mut self, ty: Option<Ty>, depth: usize) -> Step {
        let header = self.byte()?;
        let (short_count, wire) = (header >> 4, header & 0x0f);
        let count = if short_count == 15 {
            self.varint()?
        } else {
            u64::from(short_count)
        };
        if count == 0 {
            return Ok(());
        }
        let element = match ty {
            Some(Ty::List(element)) => Some(*element),
            _ => None,
        };
        if let Some(element) = element
            && !element.accepts(wire)
        {
            return Err(format!(
                "a list of wire type {wire} where {} values belong",
                element.name()
            ));
        }
        // A boolean list element takes one byte to the format, none to polars' skipping: no
        // Parquet metadata list holds booleans, so refuse rather than guess.
        if matches!(wire, BOOL_TRUE | BOOL_FALSE) {
            return Err("a list of booleans, which Parquet metadata does not use".into());
        }
        if count > self.remaining() as u64 || count > i32::MAX as u64 {
            return Err(format!(
                "a list of {count} entries, but only {} bytes remain",
                self.remaining()
            ));
        }
        for _ in 0..count {
            self.value(wire, element, depth + 1)?;
        }
        Ok(())
    }

    fn structure(&mut self, s: &'static Struct, depth: usize) -> Step {
        if depth > MAX_NESTING {
            return Err(format!("values nested more than {MAX_NESTING} deep"));
        }
        let schema_element = s.name == SCHEMA_ELEMENT.name;
        if schema_element {
            self.schema_children.push(0);
        }
        let column_meta_data = s.name == COLUMN_META_DATA.name;
        // total_compressed_size (7), data_page_offset (9), dictionary_page_offset (11).
        let mut chunk: [Option<i64>; 3] = [None; 3];
        let mut last_id = 0i16;
        loop {
            let header = self.byte()?;
            let (delta, wire) = (header >> 4, header & 0x0f);
            if wire == 0 {
                return if column_meta_data {
                    self.chunk_in_file(chunk)
                } else {
                    Ok(())
                };
            }
            let id = if delta == 0 {
                i16::try_from(self.zigzag()?).map_err(|_| "a field id beyond 16 bits")?
            } else {
                last_id
                    .checked_add(i16::from(delta))
                    .ok_or("a field id beyond 16 bits")?
            };
            let ty = s.fields.iter().find(|(i, _)| *i == id).map(|&(_, ty)| ty);
            if let Some(ty) = ty
                && !ty.accepts(wire)
            {
                return Err(format!(
                    "{} field {id} has wire type {wire}, not the {} the format gives it",
                    s.name,
                    ty.name()
                ));
            }
            if schema_element && id == 5 && wire == I32 {
                let n = self.zigzag()?;
                if let Some(last) = self.schema_children.last_mut() {
                    *last = n;
                }
            } else if column_meta_data && matches!(id, 7 | 9 | 11) && wire == I64 {
                chunk[usize::from(id == 9) + 2 * usize::from(id == 11)] = Some(self.zigzag()?);
            } else {
                self.value(wire, ty, depth)?;
            }
            last_id = id;
        }
    }
}

impl Walker<'_> {
    /// Refuses a column chunk whose bytes (from its dictionary page, else its first data page,
    /// `total_compressed_size` long; polars slices the file there) are not all in the data.
    fn chunk_in_file(&self, [size, data, dictionary]: [Option<i64>; 3]) -> Step {
        let (Some(start), Some(size)) = (dictionary.or(data), size) else {
            return Ok(());
        };
        let end = u64::try_from(start)
            .ok()
            .zip(u64::try_from(size).ok())
            .and_then(|(start, size)| start.checked_add(size));
        if end.is_some_and(|end| end <= self.data_end) {
            return Ok(());
        }
        Err(format!(
            "a column chunk of {size} bytes at byte {start}, outside the {} bytes of column data",
            self.data_end
        ))
    }
}

/// Refuses a schema tree nested deeper than [`MAX_SCHEMA_DEPTH`]; `children` is each element's
/// `num_children` in the footer's (depth-first) order.
fn schema_depth_ok(children: &[i64]) -> std::result::Result<(), String> {
    // Children still expected by each open group, innermost last.
    let mut open: Vec<i64> = Vec::new();
    for &n in children {
        if let Some(parent) = open.last_mut() {
            *parent -= 1;
        }
        if n > 0 {
            open.push(n);
            if open.len() > MAX_SCHEMA_DEPTH {
                return Err(format!(
                    "a schema nested more than {MAX_SCHEMA_DEPTH} levels deep"
                ));
            }
        }
        while open.last() == Some(&0) {
            open.pop();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field header with a short delta.
    fn field(delta: u8, wire: u8) -> u8 {
        (delta << 4) | wire
    }

    #[test]
    fn a_list_longer_than_the_footer_is_refused_before_anything_is_allocated() {
        // FileMetaData.schema: a list of structs claiming 2^31 - 1 entries.
        let mut footer = vec![field(2, LIST), 0xf0 | STRUCT];
        footer.extend([0xff, 0xff, 0xff, 0xff, 0x07]);
        let why = check_metadata(&footer, 0).unwrap_err();
        assert!(why.contains("a list of 2147483647 entries"), "{why}");
    }

    #[test]
    fn a_boolean_field_with_another_wire_type_is_refused() {
        // SortingColumn.descending (field 2) written as an i32 inside RowGroup.sorting_columns.
        let footer = [
            field(4, LIST),
            0x10 | STRUCT,
            field(4, LIST),
            0x10 | STRUCT,
            field(2, I32),
            0x02,
            0,
            0,
            0,
        ];
        let why = check_metadata(&footer, 0).unwrap_err();
        assert!(
            why.contains("SortingColumn field 2 has wire type 5"),
            "{why}"
        );
    }

    #[test]
    fn a_column_chunk_beyond_the_column_data_is_refused() {
        // RowGroup.columns[0].meta_data: total_compressed_size 100 at data_page_offset 4.
        let footer = [
            field(4, LIST),
            0x10 | STRUCT,
            field(1, LIST),
            0x10 | STRUCT,
            field(3, STRUCT),
            field(7, I64),
            200, // zigzag 100
            1,
            field(2, I64),
            8, // zigzag 4
            0,
            0,
            0,
            0,
        ];
        assert!(check_metadata(&footer, 104).is_ok());
        let why = check_metadata(&footer, 103).unwrap_err();
        assert!(
            why.contains("a column chunk of 100 bytes at byte 4, outside the 103 bytes"),
            "{why}"
        );
    }

    #[test]
    fn a_schema_nested_too_deep_is_refused() {
        let mut children = vec![1i64; MAX_SCHEMA_DEPTH + 1];
        children.push(0);
        assert!(schema_depth_ok(&children).unwrap_err().contains("nested"));
        let flat = [3, 0, 0, 0];
        assert!(schema_depth_ok(&flat).is_ok());
    }

    #[test]
    fn values_nested_too_deep_are_refused() {
        // Unknown field 20 of FileMetaData: a struct in a struct in a struct ...
        let mut footer = vec![0x0c, 40];
        footer.extend(std::iter::repeat_n(field(1, STRUCT), 100));
        let why = check_metadata(&footer, 0).unwrap_err();
        assert!(why.contains("nested more than 64 deep"), "{why}");
    }
}
