"""The campaign opening under load (locust), the fault runs and the process helpers they and the
two-node test share. See loadtest/README.md."""
