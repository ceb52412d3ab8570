//! The pprof profile of goroutines: `pprof.Lookup("goroutine").WriteTo(w, 0)`,
//! `/debug/pprof/goroutine`, and the same for `goroutineleak`. A gzipped protobuf of
//! `perftools.profiles.Profile` (github.com/google/pprof, proto/profile.proto), decoded with
//! prost from the message definitions below; fields we do not read are skipped by the decoder.
//!
//! A sample is a stack and how many goroutines share it. The profile has no wait reason and
//! no `created by` frame: the state is told from the runtime function the goroutine parked
//! in (`runtime.chansend1` is a channel send), and confirmation can only use where it blocks.

use super::{EvidenceError, Frame, Goroutine, MAX_EVIDENCE_BYTES};
use std::collections::HashMap;
use std::io::Read;

/// `perftools.profiles.Profile`, the fields goleak-fix reads.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Profile {
    #[prost(message, repeated, tag = "1")]
    pub sample_type: Vec<ValueType>,
    #[prost(message, repeated, tag = "2")]
    pub sample: Vec<Sample>,
    #[prost(message, repeated, tag = "4")]
    pub location: Vec<Location>,
    #[prost(message, repeated, tag = "5")]
    pub function: Vec<Function>,
    #[prost(string, repeated, tag = "6")]
    pub string_table: Vec<String>,
    #[prost(message, optional, tag = "11")]
    pub period_type: Option<ValueType>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueType {
    /// Index into the string table.
    #[prost(int64, tag = "1")]
    pub r#type: i64,
    #[prost(int64, tag = "2")]
    pub unit: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Sample {
    /// Leaf first.
    #[prost(uint64, repeated, tag = "1")]
    pub location_id: Vec<u64>,
    #[prost(int64, repeated, tag = "2")]
    pub value: Vec<i64>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Location {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Inlined calls: the innermost first.
    #[prost(message, repeated, tag = "4")]
    pub line: Vec<Line>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Line {
    #[prost(uint64, tag = "1")]
    pub function_id: u64,
    #[prost(int64, tag = "2")]
    pub line: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Function {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(int64, tag = "2")]
    pub name: i64,
    #[prost(int64, tag = "4")]
    pub filename: i64,
}

/// Unpacks a gzipped file, at most `MAX_EVIDENCE_BYTES` of it (a gzip bomb is refused).
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, EvidenceError> {
    let mut unpacked = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_EVIDENCE_BYTES + 1)
        .read_to_end(&mut unpacked)
        .map_err(|e| EvidenceError::Gzip(super::io_reason(&e)))?;
    if unpacked.len() as u64 > MAX_EVIDENCE_BYTES {
        return Err(EvidenceError::TooLarge);
    }
    Ok(unpacked)
}

/// Decodes a gzipped goroutine profile and hands each sample to `sink`.
pub fn parse(bytes: &[u8], sink: &mut dyn FnMut(Goroutine)) -> Result<(), EvidenceError> {
    let unpacked = gunzip(bytes)?;
    let profile = <Profile as prost::Message>::decode(unpacked.as_slice())
        .map_err(|e| EvidenceError::Protobuf(e.to_string()))?;
    let string = |index: i64| -> &str {
        usize::try_from(index)
            .ok()
            .and_then(|i| profile.string_table.get(i))
            .map_or("", String::as_str)
    };
    let kind = profile
        .period_type
        .as_ref()
        .or(profile.sample_type.first())
        .map_or("", |t| string(t.r#type));
    let leaked = match kind {
        "goroutine" => false,
        "goroutineleak" => true,
        other => return Err(EvidenceError::WrongProfile(other.to_string())),
    };
    let functions: HashMap<u64, &Function> = profile.function.iter().map(|f| (f.id, f)).collect();
    let locations: HashMap<u64, &Location> = profile.location.iter().map(|l| (l.id, l)).collect();
    for sample in &profile.sample {
        let count = sample.value.first().copied().unwrap_or(0);
        let Ok(count) = u64::try_from(count) else {
            continue;
        };
        if count == 0 {
            continue;
        }
        let mut frames = Vec::new();
        for id in &sample.location_id {
            let Some(location) = locations.get(id) else {
                continue;
            };
            for line in &location.line {
                let Some(function) = functions.get(&line.function_id) else {
                    continue;
                };
                frames.push(Frame {
                    function: string(function.name).to_string(),
                    file: string(function.filename).to_string(),
                    line: u32::try_from(line.line).unwrap_or(0),
                });
            }
        }
        let state = state_of(&frames).to_string();
        sink(Goroutine {
            count,
            state,
            waiting_minutes: None,
            leaked,
            frames,
            created_by: None,
        });
    }
    Ok(())
}

/// The wait reason the runtime would print, told from where the goroutine parked.
pub fn state_of(frames: &[Frame]) -> &'static str {
    for frame in frames {
        let state = match frame.function.as_str() {
            "runtime.chansend1" | "runtime.chansend" => "chan send",
            "runtime.chanrecv1" | "runtime.chanrecv2" | "runtime.chanrecv" => "chan receive",
            "runtime.selectgo" => "select",
            "runtime.block" => "select (no cases)",
            "sync.(*Mutex).Lock" | "internal/sync.(*Mutex).Lock" => "sync.Mutex.Lock",
            "sync.(*RWMutex).Lock" => "sync.RWMutex.Lock",
            "sync.(*RWMutex).RLock" => "sync.RWMutex.RLock",
            "sync.(*WaitGroup).Wait" => "sync.WaitGroup.Wait",
            "sync.(*Cond).Wait" => "sync.Cond.Wait",
            "time.Sleep" => "sleep",
            "internal/poll.runtime_pollWait" => "IO wait",
            _ => continue,
        };
        return state;
    }
    "unknown"
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use prost::Message;
    use std::io::Write;

    /// A goroutine profile of `kind` with one sample of `count` goroutines parked in
    /// `runtime.chansend1` under `main.leak.func1` at `file:13`.
    pub(crate) fn profile(kind: &str, count: i64, file: &str) -> Vec<u8> {
        let strings = vec![
            String::new(),
            kind.to_string(),
            "count".to_string(),
            "runtime.chansend1".to_string(),
            "/usr/local/go/src/runtime/chan.go".to_string(),
            "main.leak.func1".to_string(),
            file.to_string(),
        ];
        let profile = Profile {
            sample_type: vec![ValueType { r#type: 1, unit: 2 }],
            sample: vec![Sample {
                location_id: vec![1, 2],
                value: vec![count],
            }],
            location: vec![
                Location {
                    id: 1,
                    line: vec![Line {
                        function_id: 1,
                        line: 161,
                    }],
                },
                Location {
                    id: 2,
                    line: vec![Line {
                        function_id: 2,
                        line: 13,
                    }],
                },
            ],
            function: vec![
                Function {
                    id: 1,
                    name: 3,
                    filename: 4,
                },
                Function {
                    id: 2,
                    name: 5,
                    filename: 6,
                },
            ],
            string_table: strings,
            period_type: Some(ValueType { r#type: 1, unit: 2 }),
        };
        gzip(&profile.encode_to_vec())
    }

    pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn all(bytes: &[u8]) -> Result<Vec<Goroutine>, EvidenceError> {
        let mut found = Vec::new();
        parse(bytes, &mut |g| found.push(g))?;
        Ok(found)
    }

    #[test]
    fn a_goroutine_profile_gives_its_samples_with_the_parked_state() {
        let found = all(&profile("goroutine", 240, "/src/app/main.go")).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].count, 240);
        assert_eq!(found[0].state, "chan send");
        assert!(!found[0].leaked);
        assert_eq!(found[0].frames[1].file, "/src/app/main.go");
        assert_eq!(found[0].frames[1].line, 13);
        let leaked = all(&profile("goroutineleak", 2, "/src/app/main.go")).unwrap();
        assert!(leaked[0].leaked);
    }

    #[test]
    fn another_profile_is_refused_by_its_type() {
        let error = all(&profile("alloc_objects", 1, "/a.go")).unwrap_err();
        assert!(error.to_string().contains("alloc_objects"), "{error}");
    }

    #[test]
    fn truncated_gzip_and_junk_are_errors_not_panics() {
        let whole = profile("goroutine", 1, "/a.go");
        for cut in [2, 10, whole.len() / 2, whole.len() - 4] {
            assert!(all(&whole[..cut]).is_err(), "cut at {cut}");
        }
        let junk = gzip(b"\xff\xff\xff\xff this is not a protobuf \x00\x01");
        assert!(matches!(all(&junk), Err(EvidenceError::Protobuf(_))));
        assert!(all(&[0x1f, 0x8b, 0, 0, 0]).is_err());
    }

    #[test]
    fn out_of_range_indexes_are_empty_names_not_panics() {
        let profile = Profile {
            sample_type: vec![],
            sample: vec![
                Sample {
                    location_id: vec![7, 1],
                    value: vec![-3],
                },
                Sample {
                    location_id: vec![1],
                    value: vec![1],
                },
            ],
            location: vec![Location {
                id: 1,
                line: vec![Line {
                    function_id: 1,
                    line: -5,
                }],
            }],
            function: vec![Function {
                id: 1,
                name: 99,
                filename: -1,
            }],
            string_table: vec![String::new(), "goroutine".into()],
            period_type: Some(ValueType { r#type: 1, unit: 0 }),
        };
        let found = all(&gzip(&profile.encode_to_vec())).unwrap();
        assert_eq!(found.len(), 1, "the negative count is skipped");
        assert_eq!(found[0].frames[0].function, "");
        assert_eq!(found[0].frames[0].line, 0);
    }
}
