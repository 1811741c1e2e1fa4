import Lepton
print("lepton")
