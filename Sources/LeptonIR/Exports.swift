@_exported import LeptonTensor
