//! Seeded initial weights. Burn draws initial weights from one process-wide generator, so two
//! models built on two threads (the tab's race) would take each other's numbers; drawing them
//! from our own seeded generator makes every run reproducible from its seed alone.

use burn::module::Param;
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::tensor::{Device, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Salts that give each part of a model its own random stream from one seed.
pub const HEAD_SALT: u64 = 0x6865_6164; // "head"

/// `n` draws from U(−bound, bound).
pub fn uniform(rng: &mut StdRng, n: usize, bound: f32) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(-bound..=bound)).collect()
}

/// `n` draws from N(0, std²), by Box–Muller (the same numbers on every backend).
pub fn normal(rng: &mut StdRng, n: usize, std: f64) -> Vec<f32> {
    (0..n)
        .map(|_| {
            let u1: f64 = rng.random::<f64>().max(1e-12);
            let u2: f64 = rng.random();
            ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos() * std) as f32
        })
        .collect()
}

/// A trainable `[rows, cols]` matrix from row-major values.
pub fn matrix(values: Vec<f32>, rows: usize, cols: usize, device: &Device) -> Param<Tensor<2>> {
    Param::from_tensor(Tensor::from_data(
        TensorData::new(values, [rows, cols]),
        device,
    ))
}

/// A linear layer `[d_in] → [d_out]` with the given weights (`[d_in, d_out]` row-major) and
/// bias.
pub fn linear_from(
    weight: Vec<f32>,
    bias: Option<Vec<f32>>,
    d_in: usize,
    d_out: usize,
    device: &Device,
) -> Linear {
    let mut layer = LinearConfig::new(d_in, d_out)
        .with_bias(bias.is_some())
        .init(device);
    layer.weight = matrix(weight, d_in, d_out, device);
    layer.bias =
        bias.map(|b| Param::from_tensor(Tensor::from_data(TensorData::new(b, [d_out]), device)));
    layer
}

/// A linear layer with Burn's default initialisation (uniform in ±1/√d_in), drawn from `rng`.
pub fn seeded_linear(
    d_in: usize,
    d_out: usize,
    bias: bool,
    rng: &mut StdRng,
    device: &Device,
) -> Linear {
    let bound = 1.0 / (d_in.max(1) as f32).sqrt();
    let weight = uniform(rng, d_in * d_out, bound);
    let bias = bias.then(|| uniform(rng, d_out, bound));
    linear_from(weight, bias, d_in, d_out, device)
}

/// An embedding table with Burn's default initialisation (N(0, 1)), drawn from `rng`.
pub fn seeded_embedding(n: usize, d: usize, rng: &mut StdRng, device: &Device) -> Embedding {
    let mut table = EmbeddingConfig::new(n, d).init(device);
    table.weight = matrix(normal(rng, n * d, 1.0), n, d, device);
    table
}

/// The random stream of one part of a model.
pub fn stream(seed: u64, salt: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ salt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_reproducible_and_in_range() {
        let a = uniform(&mut stream(3, 0), 1000, 0.5);
        assert_eq!(a, uniform(&mut stream(3, 0), 1000, 0.5));
        assert_ne!(a, uniform(&mut stream(4, 0), 1000, 0.5));
        assert!(a.iter().all(|v| v.abs() <= 0.5));
        let n = normal(&mut stream(1, 0), 20_000, 2.0);
        let mean = n.iter().sum::<f32>() / n.len() as f32;
        let var = n.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n.len() as f32;
        assert!(
            mean.abs() < 0.05 && (var.sqrt() - 2.0).abs() < 0.05,
            "{mean} {var}"
        );
        let layer = seeded_linear(4, 3, true, &mut stream(1, 0), &Device::flex());
        assert_eq!(layer.weight.val().dims(), [4, 3]);
        assert!(layer.bias.is_some());
    }
}
