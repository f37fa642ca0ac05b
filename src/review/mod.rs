//! The analyst's loop: measuring facts against a gold file ([`eval`]), comparing two
//! sets of facts ([`diff`]) and finding what the rules miss ([`health`]).

pub mod diff;
pub mod eval;
pub mod explain;
pub mod health;
