"""AWS::Events::Rule: no extension needed with moto 5.2.5.

Checked: moto's own CloudFormation rule model (`moto.events.models.Rule`) creates the rule with
its event pattern, description and tags and puts its targets (`list_targets_by_rule` sees them).
`tests/sandbox/test_extensions.py` keeps a test of that, so a moto regression shows up.
"""
