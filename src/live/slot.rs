//! A latest-value slot: capacity one, the newest value wins, writers never block.
//!
//! The camera, the detector and the UI run at different rates. A queue between them would grow
//! (and the video would lag further and further behind) whenever the consumer is slower; a slot
//! of one keeps only the freshest frame, so latency stays one frame at worst.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// One value at most; `put` replaces, `take` empties.
#[derive(Debug, Default)]
pub struct LatestSlot<T> {
    value: Mutex<Slot<T>>,
    filled: Condvar,
}

#[derive(Debug)]
struct Slot<T> {
    value: Option<T>,
    /// How many values were replaced before anyone took them (frames the consumer skipped).
    dropped: u64,
    closed: bool,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self {
            value: None,
            dropped: 0,
            closed: false,
        }
    }
}

impl<T> LatestSlot<T> {
    pub fn new() -> Self {
        Self {
            value: Mutex::new(Slot::default()),
            filled: Condvar::new(),
        }
    }

    /// Stores `value`, replacing (dropping) any value not yet taken. Never waits on a reader.
    pub fn put(&self, value: T) {
        let mut slot = self.lock();
        if slot.value.replace(value).is_some() {
            slot.dropped += 1;
        }
        drop(slot);
        self.filled.notify_all();
    }

    /// Takes the value if there is one, without waiting.
    pub fn try_take(&self) -> Option<T> {
        self.lock().value.take()
    }

    /// Waits up to `timeout` for a value and takes it. `None` on timeout or once closed.
    pub fn take_timeout(&self, timeout: Duration) -> Option<T> {
        let slot = self.lock();
        let (mut slot, _) = self
            .filled
            .wait_timeout_while(slot, timeout, |s| s.value.is_none() && !s.closed)
            .unwrap_or_else(PoisonError::into_inner);
        slot.value.take()
    }

    /// Values that were overwritten before being taken.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// Wakes every waiting reader for good: used to stop the threads on shutdown.
    pub fn close(&self) {
        self.lock().closed = true;
        self.filled.notify_all();
    }

    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// A panic elsewhere must not take the video down with it: the data is still a valid value.
    fn lock(&self) -> MutexGuard<'_, Slot<T>> {
        self.value.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Instant;

    #[test]
    fn the_newest_value_wins_and_replaced_ones_are_counted() {
        let slot = LatestSlot::new();
        slot.put(1);
        slot.put(2);
        slot.put(3);
        assert_eq!(slot.try_take(), Some(3));
        assert_eq!(slot.try_take(), None);
        assert_eq!(slot.dropped(), 2);
    }

    #[test]
    fn a_writer_never_blocks_even_with_nobody_reading() {
        let slot = LatestSlot::new();
        let start = Instant::now();
        for i in 0..100_000 {
            slot.put(i);
        }
        // No reader ever ran, yet every put returned: the slot holds one value, not a queue.
        assert_eq!(slot.try_take(), Some(99_999));
        assert_eq!(slot.dropped(), 99_999);
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_reader_waits_for_a_value_from_another_thread() {
        let slot = Arc::new(LatestSlot::new());
        let writer = {
            let slot = Arc::clone(&slot);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                slot.put("frame");
            })
        };
        assert_eq!(slot.take_timeout(Duration::from_secs(10)), Some("frame"));
        writer.join().unwrap();
    }

    #[test]
    fn a_reader_times_out_on_an_empty_slot_and_close_wakes_it() {
        let slot: Arc<LatestSlot<u8>> = Arc::new(LatestSlot::new());
        assert_eq!(slot.take_timeout(Duration::from_millis(20)), None);
        let reader = {
            let slot = Arc::clone(&slot);
            std::thread::spawn(move || slot.take_timeout(Duration::from_secs(60)))
        };
        std::thread::sleep(Duration::from_millis(20));
        slot.close();
        assert_eq!(reader.join().unwrap(), None);
        assert!(slot.is_closed());
    }
}
