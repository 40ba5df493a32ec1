//! Loading the small hand-made fixtures in `datasets/fixtures/`: what each preset reads, and the
//! exact error for each kind of bad input.

use std::path::PathBuf;

use pathwise_datasets::{Encoding, LogOptions, Preset, Role, load_logs};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn load(name: &str, options: &LogOptions) -> pathwise_datasets::LoadedLog {
    load_logs(&[fixture(name)], options).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn error(paths: &[PathBuf], options: &LogOptions) -> String {
    match load_logs(paths, options) {
        Ok(_) => panic!("{paths:?} loaded, expected an error"),
        Err(e @ pathwise::Error::Input { .. }) => e.to_string(),
        Err(e) => panic!("expected an input error, got {e:?}"),
    }
}

fn names(log: &pathwise::InteractionLog, ids: &[u32]) -> Vec<String> {
    ids.iter()
        .map(|&s| log.skills().name(s).to_owned())
        .collect()
}

#[test]
fn generic_layout_with_a_multi_skill_field_and_groups() {
    let l = load("generic.csv", &LogOptions::default());
    assert_eq!((l.preset, l.preset_detected), (Preset::Generic, true));
    let log = &l.log;
    assert_eq!(log.n_rows(), 7);
    assert_eq!(log.n_responses(), 7);
    assert_eq!(log.n_observations(), 8);
    assert_eq!(
        (log.learners().len(), log.skills().len(), log.items().len()),
        (3, 3, 6)
    );
    assert_eq!(log.groups().names(), ["class-a", "class-b"]);
    let ann = log.learners().id("ann").unwrap();
    let third = log.response(log.learner_responses(ann).start + 2);
    assert_eq!(
        names(log, third.skills),
        ["fractions.add", "fractions.compare"]
    );
    // bob's rows are in time order, not file order; `true`/`false`/`1.0` are read as 0/1.
    let bob = log.learners().id("bob").unwrap();
    let bob_items: Vec<&str> = log
        .learner_responses(bob)
        .map(|i| log.items().name(log.response(i).item.unwrap()))
        .collect();
    assert_eq!(bob_items, ["q5", "q4", "q1"]);
    let correct: Vec<bool> = log
        .learner_responses(bob)
        .map(|i| log.response(i).correct)
        .collect();
    assert_eq!(correct, [false, true, true]);
    let cat = log.learners().id("cat").unwrap();
    assert_eq!(log.response(log.learner_responses(cat).start).group, None);
}

#[test]
fn assistments_drops_scaffolding_and_skill_less_rows_and_merges_repeats() {
    let l = load("assistments.csv", &LogOptions::default());
    assert_eq!((l.preset, l.preset_detected), (Preset::Assistments, true));
    let log = &l.log;
    assert_eq!(log.n_rows(), 4);
    assert_eq!(log.dropped()["original = 0"], 1);
    assert_eq!(log.dropped()["no skill"], 1);
    assert_eq!(log.n_responses(), 3);
    let first = log.response(0);
    assert_eq!(log.items().name(first.item.unwrap()), "9000");
    assert_eq!(names(log, first.skills), ["Box and Whisker", "Table"]);
}

#[test]
fn datashop_splits_kcs_orders_by_time_and_joins_problem_and_step() {
    let l = load("datashop.tsv", &LogOptions::default());
    assert_eq!((l.preset, l.preset_detected), (Preset::Datashop, true));
    let log = &l.log;
    assert_eq!(log.order_kind(), pathwise::OrderKind::TimestampMillis);
    assert_eq!(log.dropped()["no skill"], 1);
    assert_eq!(log.items().names(), ["P1::R1C1", "P1::R1C2"]);
    let first = log.response(0);
    assert_eq!(names(log, first.skills), ["Find X", "Combine like terms"]);
    assert_eq!(first.order, 1_161_856_350_000);
}

#[test]
fn dkt_three_line_records() {
    let l = load("dkt.txt", &LogOptions::default());
    assert_eq!((l.preset, l.preset_detected), (Preset::Dkt, true));
    let log = &l.log;
    assert_eq!(log.learners().names(), ["dkt.txt#1", "dkt.txt#2"]);
    assert_eq!(log.skills().names(), ["4", "7"]);
    let four = log.skills().id("4").unwrap();
    let seqs: Vec<_> = log.skill_sequences(four).collect();
    assert_eq!(seqs[0].correct, &[0, 1]);
    assert_eq!(seqs[1].correct, &[0]);
}

#[test]
fn column_overrides_replace_the_presets_column() {
    let options = LogOptions {
        preset: Some(Preset::Generic),
        columns: vec![(Role::Learner, "user".into()), (Role::Skill, "skil".into())],
        ..LogOptions::default()
    };
    let l = load("unmapped.csv", &options);
    assert!(!l.preset_detected);
    assert_eq!(l.log.learners().names(), ["ann"]);
    assert_eq!(l.log.skills().names(), ["add"]);
}

#[test]
fn several_files_are_one_log() {
    let paths = [fixture("generic.csv"), fixture("bom.csv")];
    let l = load_logs(&paths, &LogOptions::default()).unwrap();
    assert_eq!(l.log.n_rows(), 8);
    assert_eq!(l.log.skills().len(), 4);
}

#[test]
fn a_byte_order_mark_is_not_an_error() {
    let l = load("bom.csv", &LogOptions::default());
    assert_eq!(l.preset, Preset::Generic);
    assert_eq!(l.log.learners().names(), ["ann"]);
}

#[test]
fn missing_file() {
    let path = fixture("no-such-log.csv");
    assert_eq!(
        error(std::slice::from_ref(&path), &LogOptions::default()),
        format!("{}: cannot open the file: no such file", path.display())
    );
}

#[test]
fn empty_file() {
    let path = fixture("empty.csv");
    assert_eq!(
        error(std::slice::from_ref(&path), &LogOptions::default()),
        format!(
            "{}: the file is empty; expected a header line",
            path.display()
        )
    );
}

#[test]
fn header_without_a_mapped_column() {
    let path = fixture("unmapped.csv");
    let options = LogOptions {
        preset: Some(Preset::Generic),
        ..LogOptions::default()
    };
    assert_eq!(
        error(std::slice::from_ref(&path), &options),
        format!(
            "{}:1: no learner column: looked for 'learner' (preset generic); columns present: \
             'user', 'skil', 'item', 'correct', 'order'; closest match: 'user'; map one with \
             --col learner=NAME",
            path.display()
        )
    );
    let options = LogOptions {
        preset: Some(Preset::Generic),
        columns: vec![(Role::Learner, "user".into())],
        ..LogOptions::default()
    };
    assert_eq!(
        error(std::slice::from_ref(&path), &options),
        format!(
            "{}:1: no skill column: looked for 'skill' (preset generic); columns present: \
             'user', 'skil', 'item', 'correct', 'order'; closest match: 'skil'; map one with \
             --col skill=NAME",
            path.display()
        )
    );
}

#[test]
fn row_with_too_few_fields() {
    let path = fixture("short_row.csv");
    assert_eq!(
        error(std::slice::from_ref(&path), &LogOptions::default()),
        format!(
            "{}:3: the row has 3 fields but the header has 5",
            path.display()
        )
    );
}

#[test]
fn correct_not_zero_or_one() {
    let path = fixture("bad_correct.csv");
    assert_eq!(
        error(std::slice::from_ref(&path), &LogOptions::default()),
        format!(
            "{}:3:correct: expected 0 or 1 (or 0.0, 1.0, true, false), found '2'",
            path.display()
        )
    );
}

#[test]
fn unknown_preset() {
    let e = "kdd".parse::<Preset>().unwrap_err();
    assert!(matches!(e, pathwise::Error::Input { .. }));
    assert_eq!(
        e.to_string(),
        "preset 'kdd': unknown preset; expected one of assistments, datashop, pybkt, dkt, generic, xapi"
    );
}

#[test]
fn non_utf8_byte_names_its_offset_and_latin1_reads_it() {
    let path = fixture("latin1.csv");
    // Header is 33 bytes; "ann,fraction " is 13 more: the byte 0xE9 is at offset 46.
    assert_eq!(
        error(std::slice::from_ref(&path), &LogOptions::default()),
        format!(
            "{}:2:skill: invalid UTF-8 byte 0xE9 at byte offset 46; if the file is Latin-1, read \
             it with --encoding latin1",
            path.display()
        )
    );
    let options = LogOptions {
        encoding: Encoding::Latin1,
        ..LogOptions::default()
    };
    let l = load("latin1.csv", &options);
    assert_eq!(l.log.skills().names(), ["fraction équivalente"]);
    assert_eq!(l.log.n_rows(), 2);
}

#[test]
fn files_must_share_the_layout() {
    let paths = [fixture("generic.csv"), fixture("assistments.csv")];
    let e = error(&paths, &LogOptions::default());
    assert!(
        e.starts_with(&format!(
            "{}:1: no learner column: looked for 'learner' (preset generic)",
            paths[1].display()
        )),
        "{e}"
    );
}

#[test]
fn order_kinds_must_not_mix() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.csv");
    std::fs::write(
        &path,
        "learner,skill,correct,order\na,s,1,5\na,s,0,2006-01-01 10:00\n",
    )
    .unwrap();
    assert_eq!(
        error(std::slice::from_ref(&path), &LogOptions::default()),
        format!(
            "{}:3:order: this order value is a timestamp, but earlier rows hold a sequence number",
            path.display()
        )
    );
}

#[test]
fn dkt_record_with_the_wrong_length() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.txt");
    std::fs::write(&path, "3\n1,2\n0,1\n").unwrap();
    assert_eq!(
        error(std::slice::from_ref(&path), &LogOptions::default()),
        format!(
            "{}:2: expected 3 values (the record's length), found 2",
            path.display()
        )
    );
}

#[test]
fn item_map_gives_skills_and_counts_unmapped_items() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.csv");
    std::fs::write(&map, "item,skill\nq1,alpha\nq1,beta\nq2,gamma\n").unwrap();
    let options = LogOptions {
        item_skills: Some(map),
        ..LogOptions::default()
    };
    let l = load("generic.csv", &options);
    // q1 (twice) and q2 are mapped; q3..q6 are not.
    assert_eq!(l.log.n_rows(), 3);
    assert_eq!(l.log.dropped()["item not in the item-skill map"], 4);
    assert_eq!(l.log.skills().names(), ["alpha", "beta", "gamma"]);
    assert_eq!(l.log.n_observations(), 5);
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_reads_like_csv() {
    use polars::prelude::{NamedFrom, ParquetWriter, Series};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.parquet");
    let mut df = polars::prelude::DataFrame::new_infer_height(vec![
        Series::new("user_id".into(), &["u1", "u1", "u2"]).into(),
        Series::new("skill_name".into(), &["add", "add", "sub"]).into(),
        Series::new("correct".into(), &[1i64, 0, 1]).into(),
        Series::new("order_id".into(), &[20i64, 10, 5]).into(),
        Series::new("template_id".into(), &[Some(7i64), None, Some(8)]).into(),
    ])
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut df)
        .unwrap();
    let l = load_logs(std::slice::from_ref(&path), &LogOptions::default()).unwrap();
    assert_eq!((l.preset, l.preset_detected), (Preset::Pybkt, true));
    let log = &l.log;
    assert_eq!(log.n_rows(), 3);
    let u1 = log.learners().id("u1").unwrap();
    let first = log.response(log.learner_responses(u1).start);
    assert_eq!((first.order, first.correct, first.item), (10, false, None));
    assert_eq!(log.items().names(), ["7", "8"]);

    let mut bad = polars::prelude::DataFrame::new_infer_height(vec![
        Series::new("user_id".into(), &["u1", "u2"]).into(),
        Series::new("skill_name".into(), &["add", "add"]).into(),
        Series::new("correct".into(), &[1i64, 3]).into(),
        Series::new("order_id".into(), &[1i64, 2]).into(),
    ])
    .unwrap();
    let bad_path = dir.path().join("bad.parquet");
    ParquetWriter::new(std::fs::File::create(&bad_path).unwrap())
        .finish(&mut bad)
        .unwrap();
    assert_eq!(
        error(std::slice::from_ref(&bad_path), &LogOptions::default()),
        format!(
            "{}:2:correct: expected 0 or 1 (or 0.0, 1.0, true, false), found '3'",
            bad_path.display()
        )
    );
}

/// Writes `columns` as a Parquet file `name` in `dir`.
#[cfg(feature = "parquet")]
fn write_parquet(
    dir: &std::path::Path,
    name: &str,
    columns: Vec<polars::prelude::Series>,
) -> PathBuf {
    use polars::prelude::{DataFrame, ParquetWriter};
    let path = dir.join(name);
    let mut df =
        DataFrame::new_infer_height(columns.into_iter().map(Into::into).collect()).unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut df)
        .unwrap();
    path
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_int8_int16_uint8_uint16_columns_read_like_int64() {
    use polars::prelude::{NamedFrom, Series};
    let dir = tempfile::tempdir().unwrap();
    let wide = write_parquet(
        dir.path(),
        "wide.parquet",
        vec![
            Series::new("user_id".into(), &[1i64, 1, 2]),
            Series::new("skill_name".into(), &[3i64, 3, 4]),
            Series::new("correct".into(), &[1i64, 0, 1]),
            Series::new("order_id".into(), &[20i64, 10, 5]),
            Series::new("template_id".into(), &[Some(7i64), None, Some(300)]),
        ],
    );
    // What pandas writes for small integer columns.
    let narrow = write_parquet(
        dir.path(),
        "narrow.parquet",
        vec![
            Series::new("user_id".into(), &[1u16, 1, 2]),
            Series::new("skill_name".into(), &[3u8, 3, 4]),
            Series::new("correct".into(), &[1i8, 0, 1]),
            Series::new("order_id".into(), &[20i16, 10, 5]),
            Series::new("template_id".into(), &[Some(7i16), None, Some(300)]),
        ],
    );
    let wide = load_logs(&[wide], &LogOptions::default()).unwrap();
    let narrow = load_logs(&[narrow], &LogOptions::default()).unwrap();
    assert_eq!(narrow.preset, Preset::Pybkt);
    assert_eq!(summary(&narrow.log), summary(&wide.log));
    assert_eq!(narrow.log.items().names(), ["7", "300"]);
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_struct_or_list_column_is_an_error_naming_the_file_and_column() {
    use polars::prelude::{IntoSeries, NamedFrom, Series, StructChunked};
    let dir = tempfile::tempdir().unwrap();
    let plain = |name: &str| Series::new(name.into(), &[1i64, 2]);
    let fields = [Series::new("id".into(), &[1i64, 2])];
    let nested = [
        StructChunked::from_series("user_id".into(), 2, fields.iter())
            .unwrap()
            .into_series(),
        Series::new(
            "user_id".into(),
            &[
                Series::new("".into(), &[1i64]),
                Series::new("".into(), &[2i64]),
            ],
        ),
    ];
    for (n, user) in nested.into_iter().enumerate() {
        let dtype = user.dtype().to_string();
        let path = write_parquet(
            dir.path(),
            &format!("nested{n}.parquet"),
            vec![
                user,
                plain("skill_name"),
                plain("correct"),
                plain("order_id"),
            ],
        );
        assert_eq!(
            error(std::slice::from_ref(&path), &LogOptions::default()),
            format!(
                "{}:user_id: the column holds {dtype} values; a log column must hold numbers, \
                 text, booleans, categories or dates",
                path.display()
            )
        );
    }
}

#[test]
fn csv_duplicate_header_is_an_error_naming_both_columns() {
    let (_dir, path) = temp_file(
        "twice.csv",
        "learner,skill,correct,order,skill\nann,add,1,1,sub\n",
    );
    assert_eq!(
        error(std::slice::from_ref(&path), &LogOptions::default()),
        format!(
            "{}:1: columns 2 and 5 are both named 'skill'; rename one so that it is clear which \
             one to read",
            path.display()
        )
    );
    // Through --col too, and with a preset given.
    let (_dir, path) = temp_file("kc.csv", "learner,kc,correct,order,kc\nann,add,1,1,sub\n");
    let options = LogOptions {
        preset: Some(Preset::Generic),
        columns: vec![(Role::Skill, "kc".to_owned())],
        ..LogOptions::default()
    };
    assert!(
        error(std::slice::from_ref(&path), &options)
            .contains("columns 2 and 5 are both named 'kc'")
    );
    // A repeated name that no role reads is harmless.
    let (_dir, path) = temp_file(
        "notes.csv",
        "learner,skill,correct,order,note,note\nann,add,1,1,a,b\n",
    );
    let l = load_logs(std::slice::from_ref(&path), &LogOptions::default()).unwrap();
    assert_eq!(l.log.n_rows(), 1);
}

/// Writes `text` to a file called `name` in a fresh temporary folder.
fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Everything a reader of the log sees, for comparing two loads.
fn summary(log: &pathwise::InteractionLog) -> String {
    let responses: Vec<_> = (0..log.n_responses()).map(|r| log.response(r)).collect();
    format!(
        "{:?} {:?} {:?} {:?} {responses:?}",
        log.learners().names(),
        log.skills().names(),
        log.items().names(),
        log.groups().names()
    )
}

#[test]
fn semicolon_separated_csv_is_read_like_the_comma_one() {
    // Excel's CSV export in many locales: `;` between fields, `,` as the decimal mark.
    let generic = std::fs::read_to_string(fixture("generic.csv")).unwrap();
    let (_dir, path) = temp_file("excel.csv", &generic.replace(',', ";"));
    let semi = load_logs(std::slice::from_ref(&path), &LogOptions::default()).unwrap();
    let comma = load("generic.csv", &LogOptions::default());
    assert_eq!(semi.preset, Preset::Generic);
    assert_eq!(summary(&semi.log), summary(&comma.log));
    // Given explicitly, the delimiter is not detected.
    let given = LogOptions {
        delimiter: Some(b';'),
        ..LogOptions::default()
    };
    let l = load_logs(std::slice::from_ref(&path), &given).unwrap();
    assert_eq!(summary(&l.log), summary(&comma.log));
    let wrong = LogOptions {
        delimiter: Some(b'\t'),
        ..LogOptions::default()
    };
    assert!(
        error(std::slice::from_ref(&path), &wrong).contains("columns present: 'learner;skill;")
    );
}

#[test]
fn tab_separated_file_with_commas_in_column_names() {
    let (_dir, path) = temp_file(
        "steps.tsv",
        "learner\tskill\tcorrect\torder\tnote, free text\nann\tadd\t1\t1\tx, y\n",
    );
    let l = load_logs(std::slice::from_ref(&path), &LogOptions::default()).unwrap();
    assert_eq!(l.log.n_rows(), 1);
    // The same header in a .csv file is ambiguous.
    let (_dir, path) = temp_file(
        "steps.csv",
        "learner\tskill\tcorrect\torder\tnote, free text\nann\tadd\t1\t1\tx, y\n",
    );
    assert_eq!(
        error(std::slice::from_ref(&path), &LogOptions::default()),
        format!(
            "{}:1: cannot tell the delimiter: the header line holds ',' 1 time and tab 4 times; \
             give it with --delimiter (e.g. --delimiter ';')",
            path.display()
        )
    );
    let tab = LogOptions {
        delimiter: Some(b'\t'),
        ..LogOptions::default()
    };
    assert_eq!(
        load_logs(std::slice::from_ref(&path), &tab)
            .unwrap()
            .log
            .n_rows(),
        1
    );
}
