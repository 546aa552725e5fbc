//! Which Burn backend runs the network: chosen at run time through the device.

use std::fmt;
use std::str::FromStr;

use burn::tensor::{Device, DeviceKind, Tensor};

use crate::error::{Error, Result};

/// A Burn backend the user can pick with `--backend`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// Pure-Rust CPU backend Burn recommends since 0.22 (the faster CPU choice, measured in
    /// `benches/detect.rs`).
    #[default]
    Flex,
    /// The classic `burn-ndarray` CPU backend.
    Ndarray,
    /// A GPU through wgpu (Vulkan, Metal, DX12 or GL, whichever the machine offers).
    Wgpu,
}

impl BackendKind {
    /// All choices, for help texts and menus.
    pub const ALL: [BackendKind; 3] = [BackendKind::Flex, BackendKind::Ndarray, BackendKind::Wgpu];

    /// The Burn device for this backend, checked with a tiny computation so that a missing GPU
    /// is an error here rather than a panic in the middle of detection.
    pub fn device(self) -> Result<Device> {
        let device = match self {
            BackendKind::Flex => Device::flex(),
            #[allow(deprecated)] // the product names burn-ndarray; kept as an explicit choice
            BackendKind::Ndarray => Device::ndarray(),
            BackendKind::Wgpu => Device::wgpu(DeviceKind::DefaultDevice),
        };
        let probe = device.clone();
        let ok = std::panic::catch_unwind(move || {
            let t = Tensor::<1>::from_floats([1.0, 2.0], &probe);
            t.sum().into_scalar::<f32>()
        });
        match ok {
            Ok(v) if (v - 3.0).abs() < 1e-6 => Ok(device),
            Ok(v) => Err(Error::Backend(self.to_string(), format!("probe gave {v}"))),
            Err(_) => Err(Error::Backend(
                self.to_string(),
                "the device could not be initialised (no usable adapter?)".into(),
            )),
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BackendKind::Flex => "flex",
            BackendKind::Ndarray => "ndarray",
            BackendKind::Wgpu => "wgpu",
        })
    }
}

impl FromStr for BackendKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "flex" | "cpu" => Ok(BackendKind::Flex),
            "ndarray" => Ok(BackendKind::Ndarray),
            "wgpu" | "gpu" => Ok(BackendKind::Wgpu),
            other => Err(Error::Config(format!(
                "unknown backend {other:?} (expected flex, ndarray or wgpu)"
            ))),
        }
    }
}
