/// The version `lepton --version` reports.
public let leptonVersion = "0.1.0"
