"""API simulator of CAST AI's AI Optimizer REST API, for tests, the demo and offline playbook runs."""
