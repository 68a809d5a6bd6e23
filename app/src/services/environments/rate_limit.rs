//! Keeping each environment's ECS calls within ECS's request rates. ECS throttles every account
//! per Region with a token bucket (a burst size, refilled at a sustained rate; the cluster read
//! actions' bucket holds 50 tokens); the portal keeps its own bucket per environment, a little
//! below that, so a fleet refresh of hundreds of `DescribeDaemon` calls waits instead of being
//! throttled (and leaves room for other tools in the account).
//!
//! The bucket sits in the HTTP client of each environment's ECS client: every attempt,
//! retries included, takes a token, and waiting is asynchronous (the SDK's interceptors are
//! synchronous, its connector is not).
//!
//! ECS counts an account's calls, not a replica's: with several replicas each bucket holds its
//! share, the configured rate and burst divided by the replicas alive ([`Share`], kept by each
//! replica's heartbeat, `services/replicas.rs`).

use std::{
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

/// How many replicas share every environment's rate (at least 1).
#[derive(Debug, Default)]
pub struct Share(AtomicU32);

impl Share {
    pub fn set(&self, replicas: u32) {
        self.0.store(replicas.max(1), Ordering::Relaxed);
    }

    pub fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed).max(1)
    }
}

use aws_smithy_runtime_api::client::{
    http::{
        HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
        SharedHttpConnector,
    },
    orchestrator::HttpRequest,
    runtime_components::RuntimeComponents,
};

/// A token bucket: `burst` tokens, refilled at `per_second`, both divided by `share`.
#[derive(Debug)]
pub struct TokenBucket {
    per_second: f64,
    burst: f64,
    share: Arc<Share>,
    /// Tokens left (negative: reserved by callers still waiting) and when that was computed.
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    pub fn new(per_second: f64, burst: u32, share: Arc<Share>) -> Self {
        let burst = f64::from(burst.max(1));
        Self { per_second: per_second.max(0.1), burst, share, state: Mutex::new((burst, Instant::now())) }
    }

    /// This replica's sustained rate and burst now.
    fn mine(&self) -> (f64, f64) {
        let n = f64::from(self.share.get());
        (self.per_second / n, (self.burst / n).max(1.0))
    }

    /// Takes a token at `now`; how long the caller must wait before using it. Callers are
    /// served in the order they ask: each reserves the next token, even one not refilled yet.
    pub fn take(&self, now: Instant) -> Duration {
        let (per_second, burst) = self.mine();
        let mut state = self.state.lock().expect("bucket lock");
        let (tokens, at) = *state;
        let refilled = (tokens + now.saturating_duration_since(at).as_secs_f64() * per_second).min(burst);
        let left = refilled - 1.0;
        *state = (left, now.max(at));
        if left >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-left / per_second)
        }
    }
}

/// An HTTP client whose requests each take a token from `bucket` first.
#[derive(Debug, Clone)]
pub struct RateLimited {
    inner: SharedHttpClient,
    bucket: Arc<TokenBucket>,
}

impl RateLimited {
    pub fn new(inner: SharedHttpClient, bucket: Arc<TokenBucket>) -> Self {
        Self { inner, bucket }
    }
}

impl HttpClient for RateLimited {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(Limited {
            inner: self.inner.http_connector(settings, components),
            bucket: self.bucket.clone(),
        })
    }
}

#[derive(Debug)]
struct Limited {
    inner: SharedHttpConnector,
    bucket: Arc<TokenBucket>,
}

impl HttpConnector for Limited {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let wait = self.bucket.take(Instant::now());
        let inner = self.inner.clone();
        HttpConnectorFuture::new(async move {
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            inner.call(request).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_goes_at_once_then_calls_wait_their_turn() {
        let bucket = TokenBucket::new(10.0, 3, Arc::default());
        let t0 = Instant::now();
        let waits: Vec<Duration> = (0..5).map(|_| bucket.take(t0)).collect();
        assert_eq!(&waits[..3], &[Duration::ZERO; 3]);
        assert!((waits[3].as_secs_f64() - 0.1).abs() < 1e-6, "{waits:?}");
        assert!((waits[4].as_secs_f64() - 0.2).abs() < 1e-6, "{waits:?}");
        // A second later the reservations are paid and the bucket refilled by 10 (to at most 3).
        let later = t0 + Duration::from_secs(2);
        assert_eq!(bucket.take(later), Duration::ZERO);
        assert_eq!(bucket.take(later), Duration::ZERO);
        assert_eq!(bucket.take(later), Duration::ZERO);
        assert!(bucket.take(later) > Duration::ZERO, "never more than the burst at once");
    }

    #[test]
    fn the_sustained_rate_holds_over_many_calls() {
        let bucket = TokenBucket::new(20.0, 50, Arc::default());
        let t0 = Instant::now();
        let last = (0..250).map(|_| bucket.take(t0)).last().unwrap();
        // 50 at once, the other 200 at 20 a second.
        assert!((last.as_secs_f64() - 10.0).abs() < 1e-6, "{last:?}");
    }

    #[test]
    fn replicas_split_the_rate_and_the_burst() {
        let share = Arc::new(Share::default());
        share.set(2);
        let bucket = TokenBucket::new(20.0, 50, share.clone());
        let t0 = Instant::now();
        let waits: Vec<Duration> = (0..125).map(|_| bucket.take(t0)).collect();
        // 25 at once, the other 100 at 10 a second: two replicas together stay at 20 a second.
        assert_eq!(waits.iter().filter(|w| w.is_zero()).count(), 25);
        assert!((waits[124].as_secs_f64() - 10.0).abs() < 1e-6, "{:?}", waits[124]);
        share.set(0);
        assert_eq!(share.get(), 1, "never fewer than this replica");
    }
}
