"""The research toolkit: global sensitivity analysis (:mod:`.sensitivity`), calibration by the simulated method
of moments (:mod:`.calibration`) and the validation report (:mod:`.validation`)."""
