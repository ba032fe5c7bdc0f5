"""NTjP-like service platform: routing by LogicalAddress, consumer authorization, traffic, behaviours."""
