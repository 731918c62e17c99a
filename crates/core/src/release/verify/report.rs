//! The verdict: one [`Check`] per check made, each with its own status. The types live
//! in vigil-model, so vigil-report can render them like every other report.
pub use vigil_model::{Check, CheckStatus, VerifyReport};
