//! The memory network itself: adjacently tied embeddings, temporal encodings, soft reads.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};

use super::stories::{Story, VOCAB_SIZE};
use crate::seq::init::{linear_from, matrix, normal, stream};

/// The memory network's own random stream.
const MEMNET_SALT: u64 = 0x6d65_6d6e_6574; // "memnet"

/// The architecture (saved as the JSON sidecar next to the weights).
#[derive(Config, Debug)]
pub struct MemNetConfig {
    /// Embedding width `D`.
    #[config(default = 20)]
    pub embed: usize,
    /// Number of memory reads.
    #[config(default = 2)]
    pub hops: usize,
    /// Memory slots `S`: the most recent facts kept (older ones are forgotten).
    #[config(default = 10)]
    pub memory: usize,
    /// Vocabulary size `V` (bag-of-words input and answer classes).
    #[config(default = "VOCAB_SIZE")]
    pub vocab: usize,
    /// Standard deviation of the initial weights (0.1 in the paper).
    #[config(default = 0.1)]
    pub init_std: f64,
}

/// The memory network: `hops + 1` adjacently tied embeddings and temporal encodings, and the
/// answer read-out.
#[derive(Module, Debug)]
pub struct MemNet {
    /// `E_0 … E_hops`, each `[V, D]`: `B = A_1 = E_0`, `C_k = A_{k+1} = E_k`.
    embeddings: Vec<Param<Tensor<2>>>,
    /// `T_0 … T_hops`, each `[S, D]`, row `j` = the fact told `j` facts before the last.
    temporal: Vec<Param<Tensor<2>>>,
    /// `W`: `[D] → [V]`.
    answer: Linear,
    pub(super) memory: usize,
    pub(super) vocab: usize,
}

/// A batch in tensors.
pub(super) struct Batch {
    /// Multi-hot facts, slot 0 = latest fact: `[B, S, V]`.
    pub(super) facts: Tensor<3>,
    /// `0` for told facts, a large negative number for empty slots: `[B, S]`.
    pub(super) empty: Tensor<2>,
    /// Multi-hot question: `[B, V]`.
    pub(super) question: Tensor<2>,
    /// Answer word: `[B]`.
    pub(super) answer: Tensor<1, Int>,
}

impl MemNetConfig {
    /// A fresh network with weights drawn from seed 0.
    pub fn init(&self, device: &Device) -> MemNet {
        self.init_seeded(0, device)
    }

    /// A fresh network with `N(0, init_std²)` weights drawn from `seed`.
    pub fn init_seeded(&self, seed: u64, device: &Device) -> MemNet {
        let mut rng = stream(seed, MEMNET_SALT);
        let (v, d, s) = (self.vocab, self.embed, self.memory.max(1));
        let mut random = |rows: usize, cols: usize| {
            matrix(
                normal(&mut rng, rows * cols, self.init_std),
                rows,
                cols,
                device,
            )
        };
        let embeddings = (0..=self.hops).map(|_| random(v, d)).collect(); // [V, D] each
        let temporal = (0..=self.hops).map(|_| random(s, d)).collect(); // [S, D] each
        let answer = linear_from(normal(&mut rng, d * v, self.init_std), None, d, v, device); // [D] → [V]
        MemNet {
            embeddings,
            temporal,
            answer,
            memory: s,
            vocab: v,
        }
    }
}

impl MemNet {
    /// Memory reads per answer.
    pub fn hops(&self) -> usize {
        self.embeddings.len().saturating_sub(1)
    }

    /// Answer logits `[B, V]` and the read weights of every hop, `[B, S]` each (slot 0 =
    /// latest fact).
    pub(super) fn forward(&self, batch: &Batch) -> (Tensor<2>, Vec<Tensor<2>>) {
        self.forward_with(batch, false)
    }

    /// `linear`: read with the raw scores instead of their softmax (the paper's "linear
    /// start", which keeps early gradients from dying in a saturated softmax).
    pub(super) fn forward_with(&self, batch: &Batch, linear: bool) -> (Tensor<2>, Vec<Tensor<2>>) {
        let [b, s, v] = batch.facts.dims();
        let flat = batch.facts.clone().reshape([b * s, v]); // [B·S, V]
        // Bag-of-words embedding of every fact under every E_k, plus its temporal encoding.
        let memories: Vec<Tensor<3>> = self
            .embeddings
            .iter()
            .zip(&self.temporal)
            .map(|(e, t)| {
                let d = e.dims()[1];
                let words = flat.clone().matmul(e.val()).reshape([b, s, d]); // [B, S, D]
                words + t.val().unsqueeze_dim::<3>(0) // [B, S, D]
            })
            .collect();
        let mut u = batch.question.clone().matmul(self.embeddings[0].val()); // [B, D]
        let d = u.dims()[1];
        let mut reads = Vec::with_capacity(self.hops());
        for k in 0..self.hops() {
            let keys = memories[k].clone(); // [B, S, D]
            let values = memories[k + 1].clone(); // [B, S, D]
            let scores = keys.matmul(u.clone().unsqueeze_dim::<3>(2)).reshape([b, s]); // [B, S]
            let p = if linear {
                scores * batch.empty.clone().equal_elem(0.0).float() // [B, S]
            } else {
                softmax(scores + batch.empty.clone(), 1) // [B, S]
            };
            let o = p
                .clone()
                .unsqueeze_dim::<3>(1)
                .matmul(values)
                .reshape([b, d]); // [B, D]
            u = u + o;
            reads.push(p);
        }
        (self.answer.forward(u), reads) // [B, V]
    }
}

/// Stories as tensors: the last `memory` facts, latest in slot 0.
pub(super) fn encode(stories: &[Story], memory: usize, vocab: usize, device: &Device) -> Batch {
    let b = stories.len();
    let mut facts = vec![0.0f32; b * memory * vocab];
    let mut empty = vec![-1e9f32; b * memory];
    let mut question = vec![0.0f32; b * vocab];
    let mut answer = Vec::with_capacity(b);
    for (i, st) in stories.iter().enumerate() {
        for (slot, fact) in st.facts.iter().rev().take(memory).enumerate() {
            empty[i * memory + slot] = 0.0;
            for &w in fact.iter().filter(|&&w| w < vocab) {
                facts[(i * memory + slot) * vocab + w] += 1.0;
            }
        }
        for &w in st.question.iter().filter(|&&w| w < vocab) {
            question[i * vocab + w] += 1.0;
        }
        answer.push(st.answer as i64);
    }
    Batch {
        facts: Tensor::from_data(TensorData::new(facts, [b, memory, vocab]), device),
        empty: Tensor::from_data(TensorData::new(empty, [b, memory]), device),
        question: Tensor::from_data(TensorData::new(question, [b, vocab]), device),
        answer: Tensor::from_data(TensorData::new(answer, [b]), device),
    }
}
