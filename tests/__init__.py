from . import test_gate, test_impression, test_profile, test_rapport, test_security, test_tours
