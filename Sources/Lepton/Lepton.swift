@_exported import LeptonFrontend
@_exported import LeptonReference
@_exported import LeptonIR
@_exported import LeptonTensor
@_exported import LeptonPasses
@_exported import LeptonRuntime
@_exported import LeptonTraining
