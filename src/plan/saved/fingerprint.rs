//! Fingerprints of secret values for saved plans: Argon2id, salted per plan, at a stated cost.
//!
//! A saved plan must tell whether an `env` or `file` secret (or a client id read from one)
//! still holds the value it was planned with, without holding anything that lets the value be
//! guessed offline. A plain digest (SHA-256) can be tried at billions of guesses a second; an
//! Argon2id hash at 19 MiB and 2 passes costs each guess tens of milliseconds and its memory,
//! and the per-plan salt makes every plan's fingerprints new (no table can be built ahead).

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use serde::{Deserialize, Serialize};

/// The cost of every fingerprint: OWASP's first recommended Argon2id setting (m=19 MiB, t=2,
/// p=1). Recorded in each plan, so a plan states the cost it was made with.
pub(crate) const MEMORY_KIB: u32 = 19 * 1024;
pub(crate) const ITERATIONS: u32 = 2;
pub(crate) const PARALLELISM: u32 = 1;
const OUTPUT_BYTES: usize = 32;
const SALT_BYTES: usize = 16;

/// How a plan's fingerprints are made: the algorithm, its cost and the plan's salt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Kdf {
    /// Always `argon2id` (version 0x13).
    pub(crate) algorithm: String,
    pub(crate) memory_kib: u32,
    pub(crate) iterations: u32,
    pub(crate) parallelism: u32,
    /// Base64, 16 random bytes, new for every plan.
    pub(crate) salt: String,
}

impl Kdf {
    /// A new salt from the operating system, at the stated cost.
    pub(crate) fn fresh() -> Result<Self, String> {
        let mut salt = [0u8; SALT_BYTES];
        getrandom::fill(&mut salt)
            .map_err(|error| format!("the system gave no random bytes for the salt: {error}"))?;
        Ok(Kdf {
            algorithm: "argon2id".to_string(),
            memory_kib: MEMORY_KIB,
            iterations: ITERATIONS,
            parallelism: PARALLELISM,
            salt: STANDARD_NO_PAD.encode(salt),
        })
    }

    /// Refuses what this tool would not have made: another algorithm, or a cost beyond its
    /// own. A saved plan's checksum proves no author, and a cost raised in one (`memoryKib` in
    /// the millions, `iterations` in the thousands) would have `apply --plan` hash for minutes,
    /// deaf to signals, or take gigabytes.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.algorithm != "argon2id" {
            return Err(format!(
                "its fingerprints use the algorithm `{}`; provision makes them with argon2id",
                self.algorithm.escape_debug()
            ));
        }
        if self.memory_kib > MEMORY_KIB
            || self.iterations > ITERATIONS
            || self.parallelism > PARALLELISM
        {
            return Err(format!(
                "its Argon2id cost is memoryKib {}, iterations {}, parallelism {}; provision makes fingerprints at memoryKib {MEMORY_KIB}, iterations {ITERATIONS}, parallelism {PARALLELISM} and takes no higher cost",
                self.memory_kib, self.iterations, self.parallelism
            ));
        }
        Ok(())
    }

    /// The fingerprint of `value` (base64 of a 32-byte Argon2id output).
    pub(crate) fn fingerprint(&self, value: &str) -> Result<String, String> {
        self.check()?;
        let salt = STANDARD_NO_PAD
            .decode(&self.salt)
            .map_err(|_| "the salt is not base64".to_string())?;
        let params = Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(OUTPUT_BYTES),
        )
        .map_err(|error| format!("the Argon2id parameters are not valid: {error}"))?;
        let mut out = [0u8; OUTPUT_BYTES];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(value.as_bytes(), &salt, &mut out)
            .map_err(|error| format!("Argon2id failed: {error}"))?;
        Ok(STANDARD_NO_PAD.encode(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_value_and_salt_give_the_same_fingerprint_and_another_salt_another() {
        let kdf = Kdf::fresh().unwrap();
        let again = kdf.fingerprint("value-1").unwrap();
        assert_eq!(kdf.fingerprint("value-1").unwrap(), again);
        assert_ne!(kdf.fingerprint("value-2").unwrap(), again);
        let other = Kdf::fresh().unwrap();
        assert_ne!(other.salt, kdf.salt);
        assert_ne!(other.fingerprint("value-1").unwrap(), again);
    }

    #[test]
    fn the_cost_is_the_stated_one_and_a_changed_algorithm_is_refused() {
        let kdf = Kdf::fresh().unwrap();
        assert_eq!(
            (kdf.memory_kib, kdf.iterations, kdf.parallelism),
            (19456, 2, 1)
        );
        let unknown = Kdf {
            algorithm: "sha256".into(),
            ..kdf
        };
        assert!(unknown.fingerprint("x").unwrap_err().contains("sha256"));
    }

    #[test]
    fn a_cost_beyond_the_tool_s_own_is_refused_before_any_hashing() {
        let kdf = Kdf::fresh().unwrap();
        for costly in [
            Kdf {
                memory_kib: 3 * 1024 * 1024,
                ..kdf.clone()
            },
            Kdf {
                iterations: 100_000,
                ..kdf.clone()
            },
            Kdf {
                parallelism: 64,
                ..kdf.clone()
            },
        ] {
            let started = std::time::Instant::now();
            let error = costly.fingerprint("x").unwrap_err();
            assert!(error.contains("takes no higher cost"), "{error}");
            assert!(started.elapsed() < std::time::Duration::from_secs(1));
        }
    }
}
