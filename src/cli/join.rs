//! `facecam join`: make one committee of the second stages of cascades trained apart on the
//! same first stage (`FaceNet::join`), so their logits are averaged at inference.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use burn::tensor::Device;
use facecam::detect::weights::{self, ModelMeta};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Cascades sharing one first stage, e.g. from `train --init first.bpk --second-stage …`
    /// with different seeds. The first one's detector settings and arbitration switches are
    /// kept.
    #[arg(required = true, num_args = 2.., value_name = "FILE")]
    pub cascades: Vec<PathBuf>,
    /// Where to write the committee (and its sidecar).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let device = Device::flex();
    let (first, rest) = args.cascades.split_first().context("no cascades given")?;
    let (mut committee, mut meta) = weights::load(first, &device)?;
    let mut records = vec![training_record(first, &meta)];
    for path in rest {
        let (model, other) = weights::load(path, &device)?;
        records.push(training_record(path, &other));
        committee = committee
            .join(model)
            .with_context(|| format!("joining {}", path.display()))?;
    }
    if let Some(second) = meta.net.second.as_mut() {
        second.members = committee.members();
    }
    meta.training = serde_json::json!({ "members": records });
    weights::save(&committee, &meta, &args.out)?;
    println!(
        "{} second-stage members, {} parameters, written to {}",
        committee.members(),
        meta.net.num_params(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// A member's file and training record, kept in the committee's sidecar.
fn training_record(path: &Path, meta: &ModelMeta) -> serde_json::Value {
    serde_json::json!({
        "file": path.display().to_string(),
        "training": meta.training,
    })
}
