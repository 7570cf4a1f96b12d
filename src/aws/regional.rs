//! Clients by place (account and Region), made as needed from the run's configuration of the
//! place's account ([`Configs`]: the run's own, or a target's assumed role): a secret reference
//! is read in its connection's place, and an ARN in the place it names. One cache for every
//! client of a run (EventBridge's, and every remote secret store's: Secrets Manager, Parameter
//! Store), so a new store brings only how its client is made.

use crate::place::Place;
use aws_config::SdkConfig;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

/// The run's SDK configurations by account: its own, and one per target account the session
/// opened (its role assumed). A clone shares them, so a configuration the session adds serves
/// every store's clients.
#[derive(Clone, Debug)]
pub(crate) struct Configs {
    own: SdkConfig,
    by_account: Arc<RwLock<HashMap<String, SdkConfig>>>,
}

impl Configs {
    /// The configuration of `account`, from now on.
    pub(crate) fn insert(&self, account: &str, config: SdkConfig) {
        self.by_account
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(account.to_string(), config);
    }

    /// The configuration of `place`: its account's, else the run's own; in its Region.
    pub(crate) fn in_place(&self, place: &Place) -> SdkConfig {
        let by_account = self
            .by_account
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let config = by_account.get(&place.account).unwrap_or(&self.own);
        super::for_region(config, &place.region)
    }
}

impl From<SdkConfig> for Configs {
    fn from(own: SdkConfig) -> Self {
        Configs {
            own,
            by_account: Arc::default(),
        }
    }
}

/// One store's clients, by place, each made from its account's configuration for its Region. A clone shares them
/// (made once, wherever asked).
pub(crate) struct Regional<C> {
    /// The run's configurations, from which each place's client is made (`None`: only the
    /// clients given, as tests bring).
    base: Option<Configs>,
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
    /// Clients made by `make` from `base` for each place asked for.
    pub(crate) fn new(base: Option<impl Into<Configs>>, make: fn(&SdkConfig) -> C) -> Self {
        Regional {
            base: base.map(Into::into),
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
        let client = (self.make)(&self.base.as_ref()?.in_place(place));
        clients.insert(place.clone(), client.clone());
        Some(client)
    }
}
