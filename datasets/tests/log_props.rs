//! Property tests of the loaders: any bytes give a log or an error, never a panic; and a generated
//! generic log loads with every row, learner and skill accounted for, in time order.

use std::collections::BTreeSet;
use std::io::Write;

use pathwise_datasets::{Encoding, LogOptions, load_logs};
use proptest::prelude::*;

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(bytes))
        .unwrap();
    path
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..400),
        prefix in prop::sample::select(vec![
            "",
            "learner,skill,item,correct,order\n",
            "user_id,skill_name,correct,order_id,original,problem_id\n",
            "3\n",
            "7,1234\n",
        ]),
        latin1 in any::<bool>(),
        name in prop::sample::select(vec!["log.csv", "log.tsv", "log.txt"]),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = prefix.as_bytes().to_vec();
        bytes.extend_from_slice(&body);
        let path = write_temp(&dir, name, &bytes);
        let options = LogOptions {
            encoding: if latin1 { Encoding::Latin1 } else { Encoding::Utf8 },
            ..LogOptions::default()
        };
        let _ = load_logs(&[path], &options);
    }

    #[test]
    fn arbitrary_dkt_like_records_never_panic(
        lines in proptest::collection::vec(
            proptest::collection::vec(0u8..4, 0..6), 0..12),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let text: String = lines
            .iter()
            .map(|l| l.iter().map(u8::to_string).collect::<Vec<_>>().join(",") + "\n")
            .collect();
        let path = write_temp(&dir, "d.txt", text.as_bytes());
        let options = LogOptions {
            preset: Some(pathwise_datasets::Preset::Dkt),
            ..LogOptions::default()
        };
        let _ = load_logs(&[path], &options);
    }

    #[test]
    fn generated_generic_logs_load_completely_in_time_order(
        rows in proptest::collection::vec(
            (0u8..5, 0u8..4, 0u8..6, any::<bool>(), -50i64..50), 1..60),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("learner,skill,item,correct,order\n");
        for (l, s, i, c, o) in &rows {
            text.push_str(&format!("l{l},s{s},i{i},{},{o}\n", u8::from(*c)));
        }
        let path = write_temp(&dir, "g.csv", text.as_bytes());
        let loaded = load_logs(&[path], &LogOptions::default()).unwrap();
        let log = &loaded.log;
        prop_assert_eq!(log.n_rows(), rows.len());
        prop_assert_eq!(log.n_observations(), rows.len());
        let learners: BTreeSet<u8> = rows.iter().map(|r| r.0).collect();
        let skills: BTreeSet<u8> = rows.iter().map(|r| r.1).collect();
        prop_assert_eq!(log.learners().len(), learners.len());
        prop_assert_eq!(log.skills().len(), skills.len());
        let correct_rows = rows.iter().filter(|r| r.3).count();
        let correct_obs: usize = (0..log.skills().len() as u32)
            .flat_map(|s| log.skill_sequences(s))
            .map(|q| q.correct.iter().map(|&c| usize::from(c)).sum::<usize>())
            .sum();
        prop_assert_eq!(correct_obs, correct_rows);
        for l in 0..log.learners().len() as u32 {
            let orders: Vec<i64> = log.learner_responses(l).map(|i| log.response(i).order).collect();
            prop_assert!(orders.windows(2).all(|w| w[0] <= w[1]));
        }
    }
}
