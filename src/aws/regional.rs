//! Clients by place (account and Region), made as needed from the run's configuration: a
//! secret reference is read in its connection's place, and an ARN in the place it names. One
//! cache for every client of a run (EventBridge's, and every remote secret store's: Secrets
//! Manager, Parameter Store), so a new store brings only how its client is made.

use crate::place::Place;
use aws_config::SdkConfig;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One store's clients, by place. Today one configuration serves every place of a run (its
/// credentials' account), and a place's client is made for its Region. A clone shares them
/// (made once, wherever asked).
pub(crate) struct Regional<C> {
    /// The run's configuration, from which each Region's client is made (`None`: only the
    /// clients given, as tests bring).
    base: Option<SdkConfig>,
    make: fn(&SdkConfig) -> C,
    by_place: Arc<Mutex<HashMap<Place, C>>>,
}

impl<C> Clone for Regional<C> {
    fn clone(&self) -> Self {
        Regional {
            base: self.base.clone(),
            make: self.make,
            by_place: self.by_place.clone(),
        }
    }
}

impl<C: Clone> Regional<C> {
    /// Clients made by `make` from `base` for each Region asked for.
    pub(crate) fn new(base: Option<SdkConfig>, make: fn(&SdkConfig) -> C) -> Self {
        Regional {
            base,
            make,
            by_place: Arc::default(),
        }
    }

    /// Only the given client, for its place (tests).
    #[cfg(test)]
    pub(crate) fn single(place: Place, client: C, make: fn(&SdkConfig) -> C) -> Self {
        Regional {
            base: None,
            make,
            by_place: Arc::new(Mutex::new([(place, client)].into())),
        }
    }

    /// The client for `place`, if one can be made.
    pub(crate) fn get(&self, place: &Place) -> Option<C> {
        let mut clients = self
            .by_place
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(client) = clients.get(place) {
            return Some(client.clone());
        }
        let client = (self.make)(&super::for_region(self.base.as_ref()?, &place.region));
        clients.insert(place.clone(), client.clone());
        Some(client)
    }
}
