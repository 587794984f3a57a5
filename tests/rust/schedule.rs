//! The poll schedule and the rate budget together on a virtual clock: 200 concurrent waits
//! on one client never exceed 60 requests in any 60-second window, both polled one by one
//! (worst case) and batched (one list call per tick, as the client does), and batching keeps
//! detection delays near the single-task schedule's.

use aivideo::budget::RateBudget;
use aivideo::poll::{PollOptions, Poller, Verdict};

struct Task {
    poller: Poller,
    done_at: f64,
    due: f64,
    noticed: Option<f64>,
}

fn tasks(n: usize) -> Vec<Task> {
    // Expected times of the contract's models, completions spread ±20 % around them.
    let expected = [210_000.0, 300_000.0, 390_000.0, 600_000.0, 780_000.0];
    (0..n)
        .map(|i| {
            let e = expected[i % expected.len()];
            let opts = PollOptions {
                expected_ms: e,
                interval_ms: None,
                max_interval_ms: None,
                min_interval_ms: None,
                max_wait_ms: None,
                time_scale: 1.0,
            };
            let poller = Poller::new(opts, 0.0);
            let due = match poller.first_delay(0.0, 0.5) {
                Verdict::Sleep(ms) => ms,
                _ => 0.0,
            };
            let done_at = e * (0.8 + 0.4 * ((i * 7919) % n) as f64 / n as f64);
            Task { poller, done_at, due, noticed: None }
        })
        .collect()
}

fn status(t: &Task, now: f64) -> &'static str {
    if now >= t.done_at {
        "COMPLETED"
    } else {
        "PROGRESS"
    }
}

/// Runs until every task is noticed; returns request times and the mean detection delay.
fn run(n: usize, batched: bool) -> (Vec<f64>, f64) {
    let mut ts = tasks(n);
    let mut budget = RateBudget::new(60.0, 5.0, 0.0);
    let mut requests = Vec::new();
    while let Some(next_due) = ts.iter().filter(|t| t.noticed.is_none()).map(|t| t.due).reduce(f64::min) {
        let mut now = next_due;
        // Wait for the budget, as the client's acquire loop does.
        loop {
            match budget.take(now) {
                Ok(()) => break,
                Err(wait) => now += wait,
            }
        }
        requests.push(now);
        // One request: batched, it answers for every waiting task (fresh data for all);
        // alone, only for the one that was due first.
        let mut served = false;
        for t in ts.iter_mut().filter(|t| t.noticed.is_none()) {
            if !batched && (served || t.due > next_due) {
                continue;
            }
            served = true;
            let st = status(t, now);
            match t.poller.on_status(st, now, 0.5) {
                Verdict::Sleep(ms) => t.due = now + ms,
                Verdict::Done(_) => t.noticed = Some(now),
                Verdict::Timeout => t.noticed = Some(f64::INFINITY),
            }
        }
        if requests.len() > 1_000_000 {
            break;
        }
    }
    let mean = ts.iter().map(|t| t.noticed.unwrap_or(f64::INFINITY) - t.done_at).sum::<f64>() / n as f64;
    (requests, mean)
}

fn worst_window(requests: &[f64]) -> usize {
    let mut worst = 0;
    let mut start = 0;
    for (i, &t) in requests.iter().enumerate() {
        while requests.get(start).is_some_and(|&s| s <= t - 60_000.0) {
            start += 1;
        }
        worst = worst.max(i + 1 - start);
    }
    worst
}

#[test]
fn two_hundred_waits_stay_within_sixty_requests_per_minute() {
    for batched in [false, true] {
        let (requests, mean) = run(200, batched);
        let worst = worst_window(&requests);
        assert!(worst <= 60, "batched={batched}: {worst} requests in one 60 s window");
        assert!(mean.is_finite(), "batched={batched}: a task was never noticed");
        if batched {
            // One list call per tick serves all 200: delays stay close to the single-task
            // schedule (~4.5 s), far from what one-by-one polling under the budget gives.
            assert!(mean < 15_000.0, "batched mean delay {mean} ms");
            assert!(requests.len() < 1_000, "batched: {} requests for 200 tasks", requests.len());
        }
    }
    let (_, one_by_one) = run(200, false);
    let (_, batched) = run(200, true);
    assert!(batched * 5.0 < one_by_one, "batching: {batched} ms vs one by one {one_by_one} ms");
}
