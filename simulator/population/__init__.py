"""The test population: folkbokföring data (what PU-tjänsten answers) and the 1177
account (what the user profile and the inbox answer) of every simulated citizen."""
