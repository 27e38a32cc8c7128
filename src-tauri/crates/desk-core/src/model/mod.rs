//! The words the desk speaks: what the ports take and return and what the use cases hand each
//! other. Nothing here calls a port or a use case, so every other module may build on it.

pub mod action;
pub mod audit;
pub mod blocklist;
pub mod case;
pub mod lookup;
pub mod request;
