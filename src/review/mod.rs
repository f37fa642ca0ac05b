//! The analyst's loop: running the rules' examples ([`examples`]), measuring facts
//! against a gold file ([`eval`]), comparing two sets of facts ([`diff`]), finding what
//! the rules miss ([`health`]) and how a fact was found ([`explain`]).

pub mod diff;
pub mod eval;
pub mod examples;
pub mod explain;
pub mod health;
