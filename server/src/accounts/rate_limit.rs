//! Login rate limits (in-process, `governor`'s GCRA): password checks per e-mail address and
//! per client IP, and password-reset mails per e-mail address.
//!
//! Limits are per server process: with N instances behind a load balancer an attacker gets
//! up to N times the budget. A shared store (Redis) would close that gap.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::AccountsError;
use crate::AuthConfig;

/// Most keys kept before stale ones are pruned.
const PRUNE_ABOVE: usize = 10_000;

/// Password-reset mails allowed per e-mail address per 15 minutes (Twenty's throttle).
const RESETS_PER_WINDOW: u32 = 3;
const RESET_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The limiters of one server process.
pub struct LoginLimiter {
    by_email: DefaultKeyedRateLimiter<String>,
    by_ip: DefaultKeyedRateLimiter<IpAddr>,
    resets_by_email: DefaultKeyedRateLimiter<String>,
}

impl std::fmt::Debug for LoginLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginLimiter").finish_non_exhaustive()
    }
}

/// `n` events per `window`, all of them available at once (burst `n`).
fn quota(n: u32, window: Duration) -> Quota {
    let n = NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
    let period = window / n.get();
    Quota::with_period(period.max(Duration::from_nanos(1)))
        .unwrap_or_else(|| Quota::per_second(n))
        .allow_burst(n)
}

fn allow<K>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> bool
where
    K: Clone + std::hash::Hash + Eq,
{
    if limiter.len() > PRUNE_ABOVE {
        limiter.retain_recent();
    }
    limiter.check_key(key).is_ok()
}

impl LoginLimiter {
    /// Limiters with the quotas of `config` (`login_attempts_per_email`,
    /// `login_attempts_per_ip` per `login_rate_window`).
    pub fn new(config: &AuthConfig) -> Self {
        Self {
            by_email: RateLimiter::keyed(quota(
                config.login_attempts_per_email,
                config.login_rate_window,
            )),
            by_ip: RateLimiter::keyed(quota(
                config.login_attempts_per_ip,
                config.login_rate_window,
            )),
            resets_by_email: RateLimiter::keyed(quota(RESETS_PER_WINDOW, RESET_WINDOW)),
        }
    }

    /// Counts one password check for `email` (lower-cased) and, when known, `ip`.
    /// Errors: [`AccountsError::RateLimited`] when either budget is spent.
    pub fn check_login(&self, email: &str, ip: Option<IpAddr>) -> Result<(), AccountsError> {
        if let Some(ip) = ip
            && !allow(&self.by_ip, &ip)
        {
            return Err(AccountsError::RateLimited);
        }
        if !allow(&self.by_email, &email.trim().to_lowercase()) {
            return Err(AccountsError::RateLimited);
        }
        Ok(())
    }

    /// Counts one request from `ip` (sign-up, which also hashes a password).
    /// Errors: [`AccountsError::RateLimited`].
    pub fn check_ip(&self, ip: Option<IpAddr>) -> Result<(), AccountsError> {
        match ip {
            Some(ip) if !allow(&self.by_ip, &ip) => Err(AccountsError::RateLimited),
            _ => Ok(()),
        }
    }

    /// Counts one password-reset mail for `email` (3 per 15 minutes).
    /// Errors: [`AccountsError::RateLimited`].
    pub fn check_reset(&self, email: &str) -> Result<(), AccountsError> {
        if allow(&self.resets_by_email, &email.trim().to_lowercase()) {
            Ok(())
        } else {
            Err(AccountsError::RateLimited)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_are_per_email_and_per_ip() {
        let config = AuthConfig {
            login_attempts_per_email: 2,
            login_attempts_per_ip: 3,
            ..AuthConfig::default()
        };
        let limiter = LoginLimiter::new(&config);
        let ip: IpAddr = "10.0.0.1".parse().expect("ip");
        assert!(limiter.check_login("A@x.io", Some(ip)).is_ok());
        assert!(limiter.check_login("a@x.io", Some(ip)).is_ok());
        assert!(matches!(
            limiter.check_login("a@x.io", None),
            Err(AccountsError::RateLimited)
        ));
        assert!(limiter.check_login("b@x.io", None).is_ok());
        assert!(limiter.check_login("c@x.io", Some(ip)).is_ok());
        assert!(matches!(
            limiter.check_login("d@x.io", Some(ip)),
            Err(AccountsError::RateLimited)
        ));
    }
}
