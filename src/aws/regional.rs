//! Clients by Region, made as needed from the run's configuration: a secret reference is read
//! in its connection's Region, and an ARN in the Region it names. One cache for every client
//! of a run (EventBridge's, and every remote secret store's: Secrets Manager, Parameter Store),
//! so a new store brings only how its client is made.

use aws_config::SdkConfig;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One store's clients, by Region. A clone shares them (made once, wherever asked).
pub(crate) struct Regional<C> {
    /// The run's configuration, from which each Region's client is made (`None`: only the
    /// clients given, as tests bring).
    base: Option<SdkConfig>,
    make: fn(&SdkConfig) -> C,
    by_region: Arc<Mutex<HashMap<String, C>>>,
}

impl<C> Clone for Regional<C> {
    fn clone(&self) -> Self {
        Regional {
            base: self.base.clone(),
            make: self.make,
            by_region: self.by_region.clone(),
        }
    }
}

impl<C: Clone> Regional<C> {
    /// Clients made by `make` from `base` for each Region asked for.
    pub(crate) fn new(base: Option<SdkConfig>, make: fn(&SdkConfig) -> C) -> Self {
        Regional {
            base,
            make,
            by_region: Arc::default(),
        }
    }

    /// Only the given client, for its Region (tests).
    #[cfg(test)]
    pub(crate) fn single(region: &str, client: C, make: fn(&SdkConfig) -> C) -> Self {
        Regional {
            base: None,
            make,
            by_region: Arc::new(Mutex::new([(region.to_string(), client)].into())),
        }
    }

    /// The client for `region`, if one can be made.
    pub(crate) fn get(&self, region: &str) -> Option<C> {
        let mut clients = self
            .by_region
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(client) = clients.get(region) {
            return Some(client.clone());
        }
        let client = (self.make)(&super::for_region(self.base.as_ref()?, region));
        clients.insert(region.to_string(), client.clone());
        Some(client)
    }
}
