//! GELU with the exact (erf) definition BERT uses, computed by a rational
//! approximation of erf that the compiler vectorises: candle's `gelu_erf`
//! calls a scalar `erf` per element, the second-largest cost of a MiniLM
//! forward pass after the matrix multiplies.
//!
//! `erf` here is the clamped rational approximation of Eigen and XLA
//! (`generic_fast_erf_float`): an odd polynomial over an even one in x on
//! [-4, 4], within 5 × 10⁻⁷ of erf in f32 (tested below against `libm`),
//! and ±1 beyond, where erf is 1 in f32.

use candle_core::{CpuStorage, CustomOp1, Layout, Result, Shape, Tensor};

/// erf(x) for f32, branch-free (see the module documentation).
#[inline(always)]
pub fn fast_erf(x: f32) -> f32 {
    erf::<false>(x)
}

/// GELU, `x · Φ(x) = x/2 · (1 + erf(x/√2))`, for f32.
#[inline(always)]
pub fn fast_gelu(x: f32) -> f32 {
    gelu::<false>(x)
}

/// The rational approximation; with `FMA` the multiply-adds are fused
/// (used only where the CPU has FMA: elsewhere `mul_add` is a slow library
/// call).
#[inline(always)]
fn erf<const FMA: bool>(x: f32) -> f32 {
    let madd = |a: f32, b: f32, c: f32| if FMA { a.mul_add(b, c) } else { a * b + c };
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = madd(x2, -2.726_142_3e-10, 2.770_681_4e-8);
    p = madd(x2, p, -2.101_024e-6);
    p = madd(x2, p, -5.692_506_4e-5);
    p = madd(x2, p, -7.349_906_3e-4);
    p = madd(x2, p, -2.954_6e-3);
    p = madd(x2, p, -1.609_603_3e-2);
    p *= x;
    let mut q = madd(x2, -1.456_607_2e-5, -2.133_740_6e-4);
    q = madd(x2, q, -1.682_827e-3);
    q = madd(x2, q, -7.373_329e-3);
    q = madd(x2, q, -1.426_474e-2);
    p / q
}

#[inline(always)]
fn gelu<const FMA: bool>(x: f32) -> f32 {
    0.5 * x * (1.0 + erf::<FMA>(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// GELU of every value, with AVX2 and FMA where the CPU has them (checked
/// at run time), else with the portable code.
pub fn gelu_slice(values: &[f32]) -> Vec<f32> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has both features, checked just above.
        return unsafe { gelu_avx2_fma(values) };
    }
    values.iter().map(|&x| gelu::<false>(x)).collect()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn gelu_avx2_fma(values: &[f32]) -> Vec<f32> {
    values.iter().map(|&x| gelu::<true>(x)).collect()
}

/// The candle operation: GELU of every element of a contiguous f32 tensor.
struct Gelu;

impl CustomOp1 for Gelu {
    fn name(&self) -> &'static str {
        "fast-gelu-erf"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let CpuStorage::F32(data) = storage else { candle_core::bail!("fast-gelu-erf: f32 tensors only") };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("fast-gelu-erf: the input must be contiguous")
        };
        let out = gelu_slice(&data[start..end]);
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }
}

/// GELU (erf form) of `xs`, an f32 tensor on the CPU; made contiguous first
/// when it is not.
pub fn gelu_erf(xs: &Tensor) -> Result<Tensor> {
    xs.contiguous()?.apply_op1_no_bwd(&Gelu)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_is_within_half_a_millionth_of_libm_everywhere() {
        let mut worst = 0f32;
        for i in -80_000..=80_000 {
            let x = i as f32 * 1e-4;
            worst = worst.max((fast_erf(x) - libm::erff(x)).abs());
        }
        for x in [-1e30f32, -9.0, 9.0, 1e30] {
            assert!((fast_erf(x).abs() - 1.0).abs() <= 1.2e-7, "{x}: {}", fast_erf(x));
        }
        assert!(worst < 5e-7, "max |fast_erf - erf| = {worst:e}");
        // The vectorised path gives GELU of the same accuracy.
        let xs: Vec<f32> = (-80_000..=80_000).map(|i| i as f32 * 1e-4).collect();
        let exact = |x: f32| 0.5 * x * (1.0 + libm::erff(x * std::f32::consts::FRAC_1_SQRT_2));
        let relative = |(g, &x): (&f32, &f32)| (g - exact(x)).abs() / x.abs().max(1.0);
        let gelu_worst = gelu_slice(&xs).iter().zip(&xs).map(relative).fold(0f32, f32::max);
        assert!(gelu_worst < 5e-7, "max |gelu - exact| / max(1, |x|) = {gelu_worst:e}");
    }

    #[test]
    fn the_tensor_op_matches_candles_gelu_erf() {
        let values: Vec<f32> = (-300..300).map(|i| i as f32 * 0.02).collect();
        let t = Tensor::from_vec(values, (20, 30), &candle_core::Device::Cpu).unwrap();
        let ours = gelu_erf(&t.t().unwrap()).unwrap().t().unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let theirs = t.gelu_erf().unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let worst = ours.iter().zip(&theirs).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(worst < 1e-6, "{worst:e}");
    }
}
