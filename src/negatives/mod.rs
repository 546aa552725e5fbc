//! Hard-negative mining by the user: marked boxes → store → retraining → gate → new version.

pub mod crop;
pub mod gate;
pub mod retrain;
pub mod simulate;
pub mod store;
pub mod versions;

pub use gate::GateReport;
pub use retrain::{RetrainConfig, RetrainOutcome, RetrainProgress, Retrainer, retrain};
pub use store::{Added, Negative, NegativeMeta, NegativeStore, windows_in};
pub use versions::ModelVersions;
