"""Team results of closed waves."""
