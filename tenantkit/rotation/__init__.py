"""Code that runs inside AWS Lambda, shipped as function assets (each module stands alone: it
imports the standard library, boto3 and the drivers bundled beside it, never tenantkit)."""
