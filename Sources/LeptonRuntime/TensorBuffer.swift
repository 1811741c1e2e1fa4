/// A tensor in memory the caller owns: dtype, shape and the bytes of its row-major scalars
/// (native byte order; a bool is one byte, 0 or 1). Running on these (`Executor.run(borrowing:
/// into:)`) reads each input where it is and writes each output straight into the caller's
/// buffer: no `Tensor` is built on either side. The memory must stay valid for the call.
public struct TensorBuffer: TensorShaped {
    public var dtype: DType
    public var shape: [Int]
    public var bytes: UnsafeRawBufferPointer

    /// `bytes` must hold exactly the scalars of `shape` (checked when run).
    public init(dtype: DType, shape: [Int], bytes: UnsafeRawBufferPointer) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// `scalars` (for example a `[Float]`'s buffer) seen as a tensor of `shape`.
    public init<T: TensorElement>(_ scalars: UnsafeBufferPointer<T>, shape: [Int]) {
        self.init(dtype: T.dtype, shape: shape, bytes: UnsafeRawBufferPointer(scalars))
    }

}
