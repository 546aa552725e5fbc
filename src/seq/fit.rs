//! What every sequence demo's training loop shares: the optimizer, one descent step, the
//! per-step report, and accuracy measured in batches.

use burn::module::Module;
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::lr_scheduler::module_lr_scheduler::ModuleLearningRate;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::{Int, Tensor};

/// Progress after each training step.
#[derive(Clone, Copy, Debug)]
pub struct StepStats {
    pub step: usize,
    pub loss: f32,
    /// Accuracy on the step's own (fresh) batch.
    pub accuracy: f32,
}

/// Adam adapts its step to the gradient's scale, which hides exploding gradients; plain SGD
/// shows them (and what clipping does about them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerKind {
    Adam,
    Sgd,
}

/// The optimizer, with gradient-norm clipping at `clip` if given.
pub fn optimizer(kind: OptimizerKind, clip: Option<f32>) -> ModuleOptimizer {
    let clip = clip.map(GradientClippingConfig::Norm);
    match kind {
        OptimizerKind::Adam => AdamConfig::new().with_grad_clipping(clip).init(),
        OptimizerKind::Sgd => SgdConfig::new().with_gradient_clipping(clip).init(),
    }
}

/// Backpropagates `loss` (a one-element tensor) and takes one optimizer step at `lr`;
/// returns the updated model and the loss value.
pub fn descend<M: Module>(
    model: M,
    optim: &mut ModuleOptimizer,
    lr: impl Into<ModuleLearningRate>,
    loss: Tensor<1>,
) -> (M, f32) {
    let value = loss.clone().into_scalar::<f32>();
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    (optim.step(lr, model, grads), value)
}

/// Share of rows of `logits` `[N, C]` whose arg-max is the class in `y` `[N]`.
pub fn accuracy_of(logits: &Tensor<2>, y: &Tensor<1, Int>) -> f32 {
    let [n, _] = logits.dims();
    let predicted = logits.clone().argmax(1).reshape([n]); // [N]
    let right = predicted.equal(y.clone()).int().sum().into_scalar::<i64>();
    right as f32 / n.max(1) as f32
}

/// The arg-max class of the first row of `logits` `[N, C]` (0 if there is none).
pub fn first_argmax(logits: Tensor<2>) -> usize {
    logits
        .argmax(1)
        .into_data()
        .convert::<i64>()
        .try_to_vec::<i64>()
        .ok()
        .and_then(|v| v.first().copied())
        .unwrap_or(0)
        .max(0) as usize
}

/// The mean of `score(b)` (a fraction right in a batch of `b`) over batches of at most
/// `chunk` examples that add up to `n`, weighted by their sizes.
pub fn batched_mean(n: usize, chunk: usize, mut score: impl FnMut(usize) -> f32) -> f32 {
    let (mut right, mut done) = (0.0, 0);
    while done < n {
        let b = (n - done).min(chunk.max(1));
        right += score(b) * b as f32;
        done += b;
    }
    right / n.max(1) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    #[test]
    fn accuracy_and_batched_means_count_what_they_should() {
        let device = Device::flex();
        let logits = Tensor::<2>::from_data(
            TensorData::new(vec![0.9, 0.1, 0.2, 0.8, 0.7, 0.3], [3, 2]),
            &device,
        );
        let y = Tensor::<1, Int>::from_data(TensorData::new(vec![0i64, 0, 0], [3]), &device);
        assert!((accuracy_of(&logits, &y) - 2.0 / 3.0).abs() < 1e-6);
        // 5 examples in batches of 2, 2, 1 with 1, 2 and 0 right: 3 of 5.
        let mut rights = [0.5, 1.0, 0.0].into_iter();
        let mut sizes = Vec::new();
        let mean = batched_mean(5, 2, |b| {
            sizes.push(b);
            rights.next().unwrap()
        });
        assert_eq!(sizes, vec![2, 2, 1]);
        assert!((mean - 0.6).abs() < 1e-6);
    }
}
