"""Fixes to moto's CloudFormation API (moto 5.2.5). (Filled in below.)"""


def patch() -> None:
    pass
