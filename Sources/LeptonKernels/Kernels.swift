/// LeptonKernels: CPU kernels over raw buffers (unsafe pointers plus plain Int shapes), no
/// knowledge of graphs. Kernels never allocate in their hot path: scratch is passed in.
public enum LeptonKernels {}
