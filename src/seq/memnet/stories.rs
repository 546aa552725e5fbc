//! bAbI-style stories, generated: who moved where (task 1), and who carried what (task 2).

use std::ops::RangeInclusive;

use rand::RngExt;
use rand::rngs::StdRng;

/// Every word a story or question can use, in index order.
#[rustfmt::skip]
pub const VOCAB: [&str; 31] = [
    // actors 0..4
    "Mary", "John", "Sandra", "Daniel",
    // places 4..10
    "kitchen", "garden", "office", "hallway", "bathroom", "bedroom",
    // objects 10..13
    "football", "apple", "milk",
    // motion verbs 13..17
    "went", "moved", "journeyed", "travelled",
    // taking 17..22
    "got", "grabbed", "took", "picked", "up",
    // leaving 22..27
    "dropped", "discarded", "left", "put", "down",
    // glue 27..31
    "to", "the", "where", "is",
];
pub const VOCAB_SIZE: usize = VOCAB.len();
pub const ACTORS: std::ops::Range<usize> = 0..4;
pub const PLACES: std::ops::Range<usize> = 4..10;
pub const OBJECTS: std::ops::Range<usize> = 10..13;
const MOVES: std::ops::Range<usize> = 13..17;
const GOT: usize = 17;
const GRABBED: usize = 18;
const TOOK: usize = 19;
const PICKED: usize = 20;
const UP: usize = 21;
const DROPPED: usize = 22;
const DISCARDED: usize = 23;
const LEFT: usize = 24;
const PUT: usize = 25;
const DOWN: usize = 26;
const TO: usize = 27;
const THE: usize = 28;
const WHERE: usize = 29;
const IS: usize = 30;

/// Which bAbI task a story is drawn from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Task {
    /// bAbI task 1: actors move around; "Where is Mary?" — one supporting fact.
    SingleFact,
    /// bAbI task 2: actors also pick up and drop objects; "Where is the football?" — the fact
    /// about who took (or dropped) it, and that actor's move: two supporting facts.
    TwoFacts,
}

/// One story: facts and question as word indices into [`VOCAB`], the answer word (a place),
/// and the indices of the facts that decide the answer (for the GUI and the tests).
#[derive(Clone, Debug, PartialEq)]
pub struct Story {
    pub facts: Vec<Vec<usize>>,
    pub question: Vec<usize>,
    pub answer: usize,
    /// Indices into `facts` of the supporting facts, in story order.
    pub support: Vec<usize>,
}

fn sentence(words: &[usize], end: char) -> String {
    let mut s = words
        .iter()
        .map(|&w| VOCAB.get(w).copied().unwrap_or("?"))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(first) = s.get(..1) {
        let upper = first.to_ascii_uppercase();
        s.replace_range(..1, &upper);
    }
    s.push(end);
    s
}

/// A fact as English, e.g. `Mary went to the kitchen.`
pub fn render_fact(words: &[usize]) -> String {
    sentence(words, '.')
}

/// A question as English, e.g. `Where is Mary?`
pub fn render_question(words: &[usize]) -> String {
    sentence(words, '?')
}

/// The word at `index` (`"?"` if out of range).
pub fn word(index: usize) -> &'static str {
    VOCAB.get(index).copied().unwrap_or("?")
}

fn pick(rng: &mut StdRng, range: std::ops::Range<usize>) -> usize {
    rng.random_range(range)
}

/// Draws one story of `task` with a number of facts in `facts` (clamped to at least 2).
pub fn story(rng: &mut StdRng, task: Task, facts: RangeInclusive<usize>) -> Story {
    let lo = (*facts.start()).max(2);
    let hi = (*facts.end()).max(lo);
    let n = rng.random_range(lo..=hi);
    match task {
        Task::SingleFact => single_fact(rng, n),
        Task::TwoFacts => two_facts(rng, n),
    }
}

fn move_fact(rng: &mut StdRng, actor: usize, place: usize) -> Vec<usize> {
    vec![actor, pick(rng, MOVES), TO, THE, place]
}

fn single_fact(rng: &mut StdRng, n: usize) -> Story {
    // Latest (fact index, place) of each actor.
    let mut last: [Option<(usize, usize)>; 4] = [None; 4];
    let mut facts = Vec::with_capacity(n);
    for i in 0..n {
        let actor = pick(rng, ACTORS);
        let place = pick(rng, PLACES);
        facts.push(move_fact(rng, actor, place));
        last[actor - ACTORS.start] = Some((i, place));
    }
    let seen: Vec<usize> = (0..ACTORS.len()).filter(|&a| last[a].is_some()).collect();
    // At least one actor appears because n ≥ 2 facts were told.
    let asked = seen[rng.random_range(0..seen.len())];
    let (at, place) = last[asked].unwrap_or((0, PLACES.start));
    Story {
        facts,
        question: vec![WHERE, IS, ACTORS.start + asked],
        answer: place,
        support: vec![at],
    }
}

fn two_facts(rng: &mut StdRng, n: usize) -> Story {
    const NA: usize = 4;
    const NO: usize = 3;
    // Where each actor is (place, fact that put them there).
    let mut actor_at: [Option<(usize, usize)>; NA] = [None; NA];
    // Who holds each object.
    let mut holder: [Option<usize>; NO] = [None; NO];
    // Where each object is: (place, the fact that last took or dropped it, the move that put
    // it there).
    let mut object_at: [Option<(usize, usize, usize)>; NO] = [None; NO];
    let mut facts: Vec<Vec<usize>> = Vec::with_capacity(n);
    while facts.len() < n {
        let i = facts.len();
        let remaining = n - i;
        let placed: Vec<usize> = (0..NA).filter(|&a| actor_at[a].is_some()).collect();
        let free: Vec<usize> = (0..NO).filter(|&o| holder[o].is_none()).collect();
        let held: Vec<usize> = (0..NO).filter(|&o| holder[o].is_some()).collect();
        let any_grabbed = object_at.iter().any(Option::is_some);
        // Make sure at least one object has been taken by the end of the story.
        let must_grab = !any_grabbed && remaining <= 2;
        let roll: f32 = rng.random();
        let action = if must_grab && remaining == 1 && !placed.is_empty() && !free.is_empty() {
            1
        } else if must_grab && placed.is_empty() {
            0
        } else if must_grab && !free.is_empty() && !placed.is_empty() {
            1
        } else if roll < 0.5 || placed.is_empty() {
            0
        } else if roll < 0.8 && !free.is_empty() {
            1
        } else if !held.is_empty() {
            2
        } else {
            0
        };
        match action {
            1 => {
                let actor = placed[rng.random_range(0..placed.len())];
                let object = free[rng.random_range(0..free.len())];
                let words = match rng.random_range(0..4) {
                    0 => vec![ACTORS.start + actor, GOT, THE, OBJECTS.start + object],
                    1 => vec![ACTORS.start + actor, GRABBED, THE, OBJECTS.start + object],
                    2 => vec![ACTORS.start + actor, TOOK, THE, OBJECTS.start + object],
                    _ => vec![
                        ACTORS.start + actor,
                        PICKED,
                        UP,
                        THE,
                        OBJECTS.start + object,
                    ],
                };
                facts.push(words);
                holder[object] = Some(actor);
                let (place, moved) = actor_at[actor].unwrap_or((PLACES.start, 0));
                object_at[object] = Some((place, i, moved));
            }
            2 => {
                let object = held[rng.random_range(0..held.len())];
                let actor = holder[object].unwrap_or(0);
                let words = match rng.random_range(0..4) {
                    0 => vec![ACTORS.start + actor, DROPPED, THE, OBJECTS.start + object],
                    1 => vec![ACTORS.start + actor, DISCARDED, THE, OBJECTS.start + object],
                    2 => vec![ACTORS.start + actor, LEFT, THE, OBJECTS.start + object],
                    _ => vec![ACTORS.start + actor, PUT, DOWN, THE, OBJECTS.start + object],
                };
                facts.push(words);
                holder[object] = None;
                let (place, moved) = actor_at[actor].unwrap_or((PLACES.start, 0));
                object_at[object] = Some((place, i, moved));
            }
            _ => {
                let actor = rng.random_range(0..NA);
                let place = pick(rng, PLACES);
                facts.push(move_fact(rng, ACTORS.start + actor, place));
                actor_at[actor] = Some((place, i));
                for o in 0..NO {
                    if holder[o] == Some(actor)
                        && let Some((_, touched, _)) = object_at[o]
                    {
                        // The object travels with its holder.
                        object_at[o] = Some((place, touched, i));
                    }
                }
            }
        }
    }
    let known: Vec<usize> = (0..NO).filter(|&o| object_at[o].is_some()).collect();
    let (object, place, mut support) = match known.as_slice() {
        [] => (0, PLACES.start, vec![]),
        k => {
            let o = k[rng.random_range(0..k.len())];
            let (p, touched, moved) = object_at[o].unwrap_or((PLACES.start, 0, 0));
            (o, p, vec![moved, touched])
        }
    };
    support.sort_unstable();
    support.dedup();
    Story {
        facts,
        question: vec![WHERE, IS, THE, OBJECTS.start + object],
        answer: place,
        support,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn task1_answers_are_the_latest_place_of_an_actor_in_the_story() {
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..500 {
            let s = story(&mut rng, Task::SingleFact, 2..=10);
            assert!((2..=10).contains(&s.facts.len()));
            let actor = s.question[2];
            assert!(ACTORS.contains(&actor));
            let last = s
                .facts
                .iter()
                .rposition(|f| f[0] == actor)
                .expect("the asked actor appears");
            assert_eq!(s.answer, s.facts[last][4]);
            assert!(PLACES.contains(&s.answer));
            assert_eq!(s.support, vec![last]);
        }
    }

    #[test]
    fn stories_render_as_english() {
        let s = Story {
            facts: vec![vec![0, 13, TO, THE, 4], vec![1, PICKED, UP, THE, 10]],
            question: vec![WHERE, IS, 0],
            answer: 4,
            support: vec![0],
        };
        assert_eq!(render_fact(&s.facts[0]), "Mary went to the kitchen.");
        assert_eq!(render_fact(&s.facts[1]), "John picked up the football.");
        assert_eq!(render_question(&s.question), "Where is Mary?");
        let mut rng = StdRng::seed_from_u64(4);
        let t = story(&mut rng, Task::TwoFacts, 3..=6);
        assert!(render_question(&t.question).starts_with("Where is the "));
    }

    #[test]
    fn task2_answers_follow_the_object_and_its_carrier() {
        let mut rng = StdRng::seed_from_u64(6);
        for _ in 0..500 {
            let s = story(&mut rng, Task::TwoFacts, 2..=10);
            assert!((2..=10).contains(&s.facts.len()));
            let object = s.question[3];
            assert!(OBJECTS.contains(&object));
            // Replay the story independently.
            let mut actor_at = [None; 4];
            let mut holder = None;
            let mut at = None;
            for f in &s.facts {
                let (actor, last) = (f[0], f[f.len() - 1]);
                if PLACES.contains(&last) {
                    actor_at[actor] = Some(last);
                    if holder == Some(actor) {
                        at = Some(last);
                    }
                } else if last == object {
                    let taking = [GOT, GRABBED, TOOK, PICKED].contains(&f[1]);
                    holder = taking.then_some(actor);
                    assert!(actor_at[actor].is_some(), "{}", render_fact(f));
                    at = actor_at[actor];
                }
            }
            assert_eq!(Some(s.answer), at);
            assert_eq!(s.support.len(), 2);
            assert!(s.support.iter().any(|&i| s.facts[i].contains(&object)));
        }
    }
}
