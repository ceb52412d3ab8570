//! The blocked goroutines, grouped by where and how they block: one `BlockedGroup` per
//! (file, line, state) of the blocking frame, which is the innermost frame outside the
//! runtime and `sync` (a goroutine in `sync.(*Mutex).Lock` blocks at the line that calls
//! `Lock`). Memory grows with the number of distinct places, not of goroutines.

use super::{Frame, Goroutine};
use std::collections::HashMap;

/// The wait reasons of a goroutine that waits for another one, possibly forever: channels,
/// `select`, locks, wait groups, conditions. Running, sleeping, I/O and system calls are
/// not leaks of this kind.
pub const BLOCKED_STATES: &[&str] = &[
    "chan send",
    "chan receive",
    "chan send (nil chan)",
    "chan receive (nil chan)",
    "select",
    "select (no cases)",
    "sync.Mutex.Lock",
    "sync.RWMutex.Lock",
    "sync.RWMutex.RLock",
    "sync.WaitGroup.Wait",
    "sync.Cond.Wait",
    "semacquire",
];

/// The states of a goroutine blocked on a channel that was made (not a nil one): the only
/// kind of leak the codemods fix, so the only kind that can confirm a finding.
pub const CHANNEL_STATES: &[&str] = &["chan send", "chan receive", "select"];

/// Distinct creators kept per group: enough to confirm, bounded whatever the input.
const MAX_CREATORS: usize = 8;

/// Goroutines blocked at one place in one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedGroup {
    pub state: String,
    /// The blocking frame, as the evidence names it.
    pub place: Frame,
    pub goroutines: u64,
    /// How many of them the runtime proved leaked (the `goroutineleak` profile).
    pub leaked: u64,
    /// The longest wait, in whole minutes, when the evidence says.
    pub waiting_minutes: Option<u64>,
    /// Where the goroutines were started (`created by`), when the evidence says.
    pub creators: Vec<Frame>,
}

impl BlockedGroup {
    /// `up to 5 minutes`, `under a minute`, or `unknown` (a profile does not say).
    pub fn waiting(&self) -> String {
        match self.waiting_minutes {
            None => "unknown".to_string(),
            Some(0) => "under a minute".to_string(),
            Some(1) => "up to 1 minute".to_string(),
            Some(n) => format!("up to {n} minutes"),
        }
    }

    pub fn is_channel_wait(&self) -> bool {
        CHANNEL_STATES.contains(&self.state.as_str())
    }
}

/// Every blocked group of the evidence files read, and what was read.
#[derive(Debug, Default)]
pub struct Groups {
    by_place: HashMap<(String, u32, String), BlockedGroup>,
    /// Evidence files read.
    pub files: usize,
    /// Goroutines read, blocked or not.
    pub goroutines: u64,
    /// Blocked goroutines with no frame outside the runtime (nothing to map to source).
    pub runtime_only: u64,
    /// Whether a goroutine was marked leaked, or the dump is the leak profile's own.
    leak_profile: bool,
}

/// Whether the function is the runtime's or `sync`'s own, where goroutines park, not where
/// the program blocks them.
pub fn is_runtime(function: &str) -> bool {
    [
        "runtime.",
        "runtime/",
        "internal/",
        "sync.",
        "sync/",
        "iter.",
    ]
    .iter()
    .any(|prefix| function.starts_with(prefix))
}

impl Groups {
    /// Counts `goroutine` in its group when it is blocked.
    pub fn add(&mut self, goroutine: &Goroutine) {
        if goroutine.leaked
            || goroutine
                .frames
                .iter()
                .any(|f| f.function == "runtime/pprof.writeGoroutineLeak")
        {
            self.leak_profile = true;
        }
        if !goroutine.leaked && !BLOCKED_STATES.contains(&goroutine.state.as_str()) {
            return;
        }
        let Some(place) = goroutine.frames.iter().find(|f| !is_runtime(&f.function)) else {
            self.runtime_only += goroutine.count;
            return;
        };
        let key = (place.file.clone(), place.line, goroutine.state.clone());
        let group = self.by_place.entry(key).or_insert_with(|| BlockedGroup {
            state: goroutine.state.clone(),
            place: place.clone(),
            goroutines: 0,
            leaked: 0,
            waiting_minutes: None,
            creators: Vec::new(),
        });
        group.goroutines += goroutine.count;
        if goroutine.leaked {
            group.leaked += goroutine.count;
        }
        group.waiting_minutes = group.waiting_minutes.max(goroutine.waiting_minutes);
        if let Some(creator) = &goroutine.created_by
            && group.creators.len() < MAX_CREATORS
            && !group.creators.contains(creator)
        {
            group.creators.push(creator.clone());
        }
    }

    /// Adds the groups of one file. The leak profile marks what it proved leaked among
    /// every goroutine: from such a file only the leaked ones count.
    pub fn merge(&mut self, file: Groups) {
        self.files += file.files.max(1);
        self.goroutines += file.goroutines;
        self.runtime_only += file.runtime_only;
        for (key, mut group) in file.by_place {
            if file.leak_profile {
                if group.leaked == 0 {
                    continue;
                }
                group.goroutines = group.leaked;
            }
            match self.by_place.get_mut(&key) {
                Some(existing) => {
                    existing.goroutines += group.goroutines;
                    existing.leaked += group.leaked;
                    existing.waiting_minutes = existing.waiting_minutes.max(group.waiting_minutes);
                    for creator in group.creators {
                        if existing.creators.len() < MAX_CREATORS
                            && !existing.creators.contains(&creator)
                        {
                            existing.creators.push(creator);
                        }
                    }
                }
                None => {
                    self.by_place.insert(key, group);
                }
            }
        }
    }

    /// The groups, most goroutines first, then by place.
    pub fn sorted(&self) -> Vec<&BlockedGroup> {
        let mut groups: Vec<&BlockedGroup> = self.by_place.values().collect();
        groups.sort_by(|a, b| {
            b.goroutines
                .cmp(&a.goroutines)
                .then_with(|| a.place.file.cmp(&b.place.file))
                .then(a.place.line.cmp(&b.place.line))
                .then_with(|| a.state.cmp(&b.state))
        });
        groups
    }

    /// Blocked goroutines in the groups.
    pub fn blocked(&self) -> u64 {
        self.by_place.values().map(|g| g.goroutines).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(function: &str, file: &str, line: u32) -> Frame {
        Frame {
            function: function.into(),
            file: file.into(),
            line,
        }
    }

    fn goroutine(state: &str, minutes: u64, frames: Vec<Frame>) -> Goroutine {
        Goroutine {
            count: 1,
            state: state.into(),
            waiting_minutes: Some(minutes),
            leaked: false,
            frames,
            created_by: Some(frame("main.leak", "/a.go", 12)),
        }
    }

    #[test]
    fn blocked_goroutines_group_by_place_and_state_and_others_are_left_out() {
        let mut groups = Groups::default();
        for minutes in [1, 5, 2] {
            groups.add(&goroutine(
                "chan send",
                minutes,
                vec![frame("main.f.func1", "/a.go", 13)],
            ));
        }
        groups.add(&goroutine(
            "select",
            0,
            vec![frame("main.f.func1", "/a.go", 13)],
        ));
        groups.add(&goroutine(
            "running",
            0,
            vec![frame("main.main", "/a.go", 3)],
        ));
        groups.add(&goroutine(
            "IO wait",
            0,
            vec![frame("main.serve", "/a.go", 4)],
        ));
        groups.add(&goroutine(
            "sync.Mutex.Lock",
            0,
            vec![
                frame("internal/sync.(*Mutex).lockSlow", "/go/mutex.go", 149),
                frame("sync.(*Mutex).Lock", "/go/sync/mutex.go", 46),
                frame("main.(*S).run", "/b.go", 21),
            ],
        ));
        let sorted = groups.sorted();
        assert_eq!(sorted.len(), 3);
        assert_eq!(sorted[0].goroutines, 3);
        assert_eq!(sorted[0].state, "chan send");
        assert_eq!(sorted[0].waiting(), "up to 5 minutes");
        assert_eq!(sorted[0].creators.len(), 1);
        let lock = sorted
            .iter()
            .find(|g| g.state == "sync.Mutex.Lock")
            .unwrap();
        assert_eq!((lock.place.file.as_str(), lock.place.line), ("/b.go", 21));
        assert_eq!(groups.blocked(), 5);
    }

    #[test]
    fn a_leak_profile_counts_only_what_it_proved_leaked() {
        let mut file = Groups::default();
        let mut leaked = goroutine("chan send", 0, vec![frame("main.f.func1", "/a.go", 13)]);
        leaked.leaked = true;
        file.add(&leaked);
        file.add(&goroutine(
            "sync.Mutex.Lock",
            0,
            vec![frame("main.g", "/a.go", 20)],
        ));
        let mut total = Groups::default();
        total.merge(file);
        let sorted = total.sorted();
        assert_eq!(sorted.len(), 1);
        assert_eq!(sorted[0].leaked, 1);
        assert_eq!(sorted[0].place.line, 13);
    }

    #[test]
    fn a_stack_inside_the_runtime_only_is_counted_apart() {
        let mut groups = Groups::default();
        groups.add(&goroutine(
            "select",
            0,
            vec![frame("runtime.gcBgMarkWorker", "/go/mgc.go", 1)],
        ));
        assert!(groups.sorted().is_empty());
        assert_eq!(groups.runtime_only, 1);
    }
}
