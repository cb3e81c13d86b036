"""Quality and evaluation: run numbers, the quality report, and accuracy against gold labels."""
