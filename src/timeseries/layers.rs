//! The trainable pieces of the encoder, written with candle's
//! differentiable tensor operations (candle-nn's fused layer norm and
//! softmax have no gradient). Parameter names follow PyTorch's
//! `state_dict` of the seed's module, so its weights map one to one.

use std::collections::BTreeMap;

use candle_core::{D, DType, Device, Result, Tensor, Var};

use crate::simulate::rng::SimRng;

/// Every trainable tensor by its PyTorch name, in name order (so seeded
/// initialisation and saved files do not depend on hash order).
#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    vars: BTreeMap<String, Var>,
}

impl Params {
    /// Adds a tensor of `shape` drawn by `init` from the seeded stream.
    pub(crate) fn add(&mut self, name: String, shape: &[usize], init: Init, rng: &mut SimRng) -> Result<Var> {
        let n: usize = shape.iter().product();
        let data: Vec<f32> = match init {
            Init::Uniform(limit) => (0..n).map(|_| rng.range(-limit, limit) as f32).collect(),
            Init::Normal(sd) => (0..n).map(|_| (rng.normal() * sd) as f32).collect(),
            Init::Constant(c) => vec![c as f32; n],
        };
        let var = Var::from_vec(data, shape, &Device::Cpu)?;
        self.vars.insert(name, var.clone());
        Ok(var)
    }

    /// The variables, for the optimiser.
    pub(crate) fn vars(&self) -> Vec<Var> {
        self.vars.values().cloned().collect()
    }

    /// Name → tensor, for saving and snapshots.
    pub(crate) fn tensors(&self) -> BTreeMap<String, Tensor> {
        self.vars.iter().map(|(k, v)| (k.clone(), v.as_tensor().clone())).collect()
    }

    /// A copy of every value (the best epoch's weights while training goes on).
    pub(crate) fn snapshot(&self) -> Result<BTreeMap<String, Tensor>> {
        self.vars.iter().map(|(k, v)| Ok((k.clone(), v.as_tensor().copy()?))).collect()
    }

    /// Sets every variable from `values`; a missing name or another shape is
    /// an error naming it.
    pub(crate) fn restore(&self, values: &BTreeMap<String, Tensor>) -> std::result::Result<(), String> {
        for (name, var) in &self.vars {
            let value = values.get(name).ok_or_else(|| format!("tensor `{name}` is missing"))?;
            if value.dims() != var.dims() {
                return Err(format!(
                    "tensor `{name}` has shape {:?}, the encoder needs {:?}",
                    value.dims(),
                    var.dims()
                ));
            }
            let value = value.to_dtype(DType::F32).map_err(|e| e.to_string())?;
            var.set(&value).map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

/// How a tensor starts.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Init {
    /// Uniform in ±limit.
    Uniform(f64),
    /// Normal with this standard deviation.
    Normal(f64),
    /// Every element the same.
    Constant(f64),
}

/// A forward pass: in training, dropout draws its masks from the seeded
/// stream; in evaluation, nothing is random.
pub(crate) enum Pass<'a> {
    /// No dropout.
    Eval,
    /// Dropout with probability `p`.
    Train {
        /// The seeded stream of the masks.
        rng: &'a mut SimRng,
        /// Probability of zeroing an element.
        p: f64,
    },
}

impl Pass<'_> {
    /// Inverted dropout: kept elements are scaled by `1 / (1 − p)`. Each
    /// element reads 16 random bits, so `p` is rounded to a multiple of
    /// 1/65 536 (0.1 becomes 0.100006).
    pub(crate) fn dropout(&mut self, x: &Tensor) -> Result<Tensor> {
        match self {
            Pass::Eval => Ok(x.clone()),
            Pass::Train { p, .. } if *p <= 0.0 => Ok(x.clone()),
            Pass::Train { rng, p } => {
                let cut = (*p * 65_536.0).round() as u16;
                let keep = (65_536.0 / (65_536.0 - f64::from(cut))) as f32;
                // Two random bytes per element, combined and compared by
                // candle (a per-element loop here would dominate debug builds).
                let n = x.elem_count();
                let mut bytes = vec![0u8; 2 * n];
                rng.fill_bytes(&mut bytes);
                let bytes = Tensor::from_vec(bytes, (2, n), x.device())?.to_dtype(DType::F32)?;
                let bits16 = ((bytes.get(0)? * 256.0)? + bytes.get(1)?)?;
                let mask = (bits16.ge(f64::from(cut))?.to_dtype(DType::F32)? * f64::from(keep))?;
                x * mask.reshape(x.shape())?
            }
        }
    }
}

/// `y = x Wᵀ + b` over the last dimension.
#[derive(Debug, Clone)]
pub(crate) struct Linear {
    weight: Var,
    bias: Var,
}

impl Linear {
    /// PyTorch's default initialisation: weights and bias uniform in
    /// ±1/√inputs.
    pub(crate) fn new(
        params: &mut Params,
        name: &str,
        inputs: usize,
        outputs: usize,
        rng: &mut SimRng,
    ) -> Result<Self> {
        let limit = 1.0 / (inputs as f64).sqrt();
        let weight = params.add(format!("{name}.weight"), &[outputs, inputs], Init::Uniform(limit), rng)?;
        let bias = params.add(format!("{name}.bias"), &[outputs], Init::Uniform(limit), rng)?;
        Ok(Self { weight, bias })
    }

    /// Applies the layer to `(..., inputs)`.
    pub(crate) fn forward(&self, x: &Tensor) -> Result<Tensor> {
        linear(x, self.weight.as_tensor(), self.bias.as_tensor())
    }
}

fn linear(x: &Tensor, weight: &Tensor, bias: &Tensor) -> Result<Tensor> {
    let dims = x.dims().to_vec();
    let inputs = dims[dims.len() - 1];
    let rows = x.elem_count() / inputs;
    let y = x.reshape((rows, inputs))?.matmul(&weight.t()?)?.broadcast_add(bias)?;
    let mut out = dims;
    *out.last_mut().expect("at least one dimension") = weight.dim(0)?;
    y.reshape(out)
}

/// Layer normalisation over the last dimension (ε = 1e-5, as PyTorch).
#[derive(Debug, Clone)]
pub(crate) struct LayerNorm {
    weight: Var,
    bias: Var,
}

impl LayerNorm {
    pub(crate) fn new(params: &mut Params, name: &str, width: usize, rng: &mut SimRng) -> Result<Self> {
        let weight = params.add(format!("{name}.weight"), &[width], Init::Constant(1.0), rng)?;
        let bias = params.add(format!("{name}.bias"), &[width], Init::Constant(0.0), rng)?;
        Ok(Self { weight, bias })
    }

    pub(crate) fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mean = x.mean_keepdim(D::Minus1)?;
        let centred = x.broadcast_sub(&mean)?;
        let variance = centred.sqr()?.mean_keepdim(D::Minus1)?;
        let normed = centred.broadcast_div(&(variance + 1e-5)?.sqrt()?)?;
        normed.broadcast_mul(self.weight.as_tensor())?.broadcast_add(self.bias.as_tensor())
    }
}

/// Softmax over the last dimension, differentiable (the maximum subtracted
/// for stability carries no gradient).
fn softmax_last(x: &Tensor) -> Result<Tensor> {
    let max = x.max_keepdim(D::Minus1)?.detach();
    let e = x.broadcast_sub(&max)?.exp()?;
    e.broadcast_div(&e.sum_keepdim(D::Minus1)?)
}

/// Multi-head self-attention with PyTorch's packed input projection.
#[derive(Debug, Clone)]
pub(crate) struct SelfAttention {
    in_proj_weight: Var,
    in_proj_bias: Var,
    out_proj: Linear,
    heads: usize,
}

impl SelfAttention {
    /// Xavier-uniform packed projection and zero biases, as PyTorch's
    /// `nn.MultiheadAttention`.
    pub(crate) fn new(params: &mut Params, name: &str, width: usize, heads: usize, rng: &mut SimRng) -> Result<Self> {
        let xavier = (6.0 / (width + 3 * width) as f64).sqrt();
        let in_proj_weight =
            params.add(format!("{name}.in_proj_weight"), &[3 * width, width], Init::Uniform(xavier), rng)?;
        let in_proj_bias = params.add(format!("{name}.in_proj_bias"), &[3 * width], Init::Constant(0.0), rng)?;
        let out_proj = Linear::new(params, &format!("{name}.out_proj"), width, width, rng)?;
        let out_bias = params.vars.get(&format!("{name}.out_proj.bias")).expect("just added");
        out_bias.set(&out_bias.zeros_like()?)?;
        Ok(Self { in_proj_weight, in_proj_bias, out_proj, heads })
    }

    /// `(batch, steps, width)` → the same shape.
    pub(crate) fn forward(&self, x: &Tensor, pass: &mut Pass<'_>) -> Result<Tensor> {
        let (batch, steps, width) = x.dims3()?;
        let head_width = width / self.heads;
        let qkv = linear(x, self.in_proj_weight.as_tensor(), self.in_proj_bias.as_tensor())?;
        let split = |i: usize| -> Result<Tensor> {
            qkv.narrow(2, i * width, width)?
                .reshape((batch, steps, self.heads, head_width))?
                .transpose(1, 2)?
                .contiguous()
        };
        let (q, k, v) = (split(0)?, split(1)?, split(2)?);
        let scores = (q.matmul(&k.t()?)? / (head_width as f64).sqrt())?;
        let weights = pass.dropout(&softmax_last(&scores)?)?;
        let mixed = weights.matmul(&v)?.transpose(1, 2)?.reshape((batch, steps, width))?;
        self.out_proj.forward(&mixed)
    }
}

/// PyTorch's `nn.TransformerEncoderLayer` with its defaults: post-norm,
/// ReLU feed-forward, dropout after attention, inside and after the
/// feed-forward.
#[derive(Debug, Clone)]
pub(crate) struct EncoderLayer {
    self_attn: SelfAttention,
    linear1: Linear,
    linear2: Linear,
    norm1: LayerNorm,
    norm2: LayerNorm,
}

impl EncoderLayer {
    pub(crate) fn new(
        params: &mut Params,
        name: &str,
        width: usize,
        heads: usize,
        feedforward: usize,
        rng: &mut SimRng,
    ) -> Result<Self> {
        Ok(Self {
            self_attn: SelfAttention::new(params, &format!("{name}.self_attn"), width, heads, rng)?,
            linear1: Linear::new(params, &format!("{name}.linear1"), width, feedforward, rng)?,
            linear2: Linear::new(params, &format!("{name}.linear2"), feedforward, width, rng)?,
            norm1: LayerNorm::new(params, &format!("{name}.norm1"), width, rng)?,
            norm2: LayerNorm::new(params, &format!("{name}.norm2"), width, rng)?,
        })
    }

    pub(crate) fn forward(&self, x: &Tensor, pass: &mut Pass<'_>) -> Result<Tensor> {
        let attended = self.self_attn.forward(x, pass)?;
        let x = self.norm1.forward(&(x + pass.dropout(&attended)?)?)?;
        let inner = pass.dropout(&self.linear1.forward(&x)?.relu()?)?;
        let fed = self.linear2.forward(&inner)?;
        self.norm2.forward(&(x + pass.dropout(&fed)?)?)
    }
}
