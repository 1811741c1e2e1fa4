@_exported import LeptonIR
import LeptonKernels
