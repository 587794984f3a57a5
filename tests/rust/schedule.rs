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
                first_interval_ms: None,
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

// ---- Many waits on one budget, on a service whose list never helps (the live profile):
// every read is an own read, and the scheduler decides which due task goes first.

use aivideo::schedule::{first_in_line, Watch};

struct Waited {
    poller: Poller,
    watch: Watch,
    ends_at: f64,
    noticed: Option<f64>,
}

/// Tasks created at `created[i]`, ending at `ends[i]`; reads one due task whenever the budget
/// (60/min, burst 5) has a token, chosen by urgency (`by_urgency`) or earliest due first.
/// Returns each task's detection delay in seconds and the requests made.
fn run_live(created: &[f64], ends: &[f64], by_urgency: bool) -> (Vec<f64>, usize) {
    let opts = PollOptions {
        expected_ms: 390_000.0,
        interval_ms: None,
        max_interval_ms: None,
        min_interval_ms: None,
        first_interval_ms: None,
        max_wait_ms: None,
        time_scale: 1.0,
    };
    let mut ts: Vec<Waited> = created
        .iter()
        .zip(ends)
        .map(|(&c, &e)| {
            let poller = Poller::new(opts, c);
            let due = match poller.first_delay(c, 0.5) {
                Verdict::Sleep(ms) => c + ms,
                _ => c,
            };
            let watch = Watch {
                started_at: c,
                expected_ms: 390_000.0,
                last_read_at: c,
                due_at: due,
                hinted: false,
                min_gap_ms: 1_000.0,
                weight: 1.0,
            };
            Waited { poller, watch, ends_at: e, noticed: None }
        })
        .collect();
    let mut budget = RateBudget::new(60.0, 5.0, 0.0);
    let mut requests = 0;
    let mut now = 0.0;
    while ts.iter().any(|t| t.noticed.is_none()) && now < 4_000_000.0 {
        now += 100.0;
        let open: Vec<usize> =
            (0..ts.len()).filter(|&i| ts[i].noticed.is_none() && ts[i].watch.started_at <= now).collect();
        let watches: Vec<Watch> = open.iter().map(|&i| ts[i].watch.clone()).collect();
        let chosen = if by_urgency {
            (0..open.len()).find(|&k| watches[k].due_at <= now && first_in_line(&watches, k, now))
        } else {
            (0..open.len())
                .filter(|&k| watches[k].due_at <= now)
                .min_by(|&a, &b| watches[a].due_at.total_cmp(&watches[b].due_at))
        };
        let Some(k) = chosen else { continue };
        if budget.take(now).is_err() {
            continue;
        }
        requests += 1;
        let t = &mut ts[open[k]];
        let status = if now >= t.ends_at { "COMPLETED" } else { "PROGRESS" };
        match t.poller.on_status(status, now, 0.5) {
            Verdict::Sleep(ms) => {
                t.watch.last_read_at = now;
                t.watch.due_at = now + ms;
            }
            _ => t.noticed = Some(now),
        }
    }
    let delays = ts.iter().map(|t| (t.noticed.unwrap_or(f64::INFINITY) - t.ends_at) / 1000.0).collect();
    (delays, requests)
}

fn stats(mut d: Vec<f64>) -> (f64, f64, f64) {
    d.sort_by(f64::total_cmp);
    let mean = d.iter().sum::<f64>() / d.len() as f64;
    let p95 = d[(d.len() * 95 / 100).min(d.len() - 1)];
    (mean, p95, d[d.len() - 1])
}

#[test]
fn thirty_natural_endings_on_one_budget_are_read_where_endings_are_likely() {
    // The scale run's shape: arrivals every 2.4 s, t2v (390 s expected), run times ±20 %.
    let mut p95s = (Vec::new(), Vec::new());
    for seed in 1..=6u64 {
        let mut s = seed;
        let mut rand = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let created: Vec<f64> = (0..30).map(|i| f64::from(i) * 2_400.0).collect();
        let ends: Vec<f64> = created.iter().map(|c| c + 390_000.0 * (0.8 + 0.4 * rand())).collect();
        let (ours, n_ours) = run_live(&created, &ends, true);
        let (fifo, n_fifo) = run_live(&created, &ends, false);
        let (o, f) = (stats(ours), stats(fifo));
        eprintln!("seed {seed}: by urgency mean/p95/max {:.1}/{:.1}/{:.1} s ({n_ours} reads); earliest due first {:.1}/{:.1}/{:.1} s ({n_fifo} reads)", o.0, o.1, o.2, f.0, f.1, f.2);
        p95s.0.push(o.1);
        p95s.1.push(f.1);
    }
    let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (ours, fifo) = (avg(&p95s.0), avg(&p95s.1));
    eprintln!("p95 averaged over seeds: by urgency {ours:.1} s, earliest due first {fifo:.1} s");
    assert!(ours <= 25.0, "p95 {ours} s");
    assert!(ours < fifo, "urgency {ours} s vs earliest due first {fifo} s");
}

#[test]
fn twelve_early_endings_on_one_budget_are_each_noticed_soon() {
    let created: Vec<f64> = (0..12).map(|i| f64::from(i) * 500.0).collect();
    let ends: Vec<f64> = created.iter().enumerate().map(|(i, c)| c + 1000.0 * (15 + (i * 53) % 186) as f64).collect();
    let (d, requests) = run_live(&created, &ends, true);
    let (mean, _, max) = stats(d);
    eprintln!("12 early endings: mean {mean:.1} s, max {max:.1} s, {requests} reads");
    assert!(mean <= 10.0 && max <= 25.0, "mean {mean} max {max}");
}
