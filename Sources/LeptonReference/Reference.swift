@_exported import LeptonIR
