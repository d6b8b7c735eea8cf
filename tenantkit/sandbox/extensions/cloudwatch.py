"""AWS::CloudWatch::Alarm in moto's CloudWatch backend (`put_metric_alarm`), metric-math alarms
(Metrics, ThresholdMetricId) included.

moto 5.2.5 defect: its CloudFormation has no CloudWatch alarm model (skipped, reported
CREATE_COMPLETE), so `describe_alarms` shows nothing.
"""

from __future__ import annotations

from typing import Any

from moto.cloudwatch.models import Dimension, Metric, MetricDataQuery, MetricStat, cloudwatch_backends
from moto.core.common_models import CloudFormationModel

from tenantkit.sandbox.extensions._base import BackedModel


def _backend(account_id: str, region_name: str) -> Any:
    return cloudwatch_backends[account_id][region_name]


def _query(query: Any) -> MetricDataQuery:  # template JSON, as moto's own responses pass it (Label etc. may be absent)
    stat = query.get("MetricStat")
    metric_stat = None
    if stat:
        metric = stat["Metric"]
        dimensions = [Dimension(d["Name"], d["Value"]) for d in metric.get("Dimensions", [])]
        metric_stat = MetricStat(
            Metric(metric["MetricName"], metric.get("Namespace"), dimensions), stat["Period"], stat["Stat"], stat.get("Unit")
        )
    return MetricDataQuery(
        query_id=query["Id"],
        label=query.get("Label"),
        period=query.get("Period"),
        return_data=query.get("ReturnData"),
        expression=query.get("Expression"),
        metric_stat=metric_stat,
    )


class Alarm(BackedModel, CloudFormationModel):
    TYPE = "AWS::CloudWatch::Alarm"
    ATTRIBUTES = frozenset({"Arn"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> Alarm:
        name = p.get("AlarmName", resource_name)
        alarm = _backend(account_id, region_name).put_metric_alarm(
            name=name,
            namespace=p.get("Namespace"),
            metric_name=p.get("MetricName"),
            comparison_operator=p["ComparisonOperator"],
            evaluation_periods=p["EvaluationPeriods"],
            period=p.get("Period"),
            threshold=p.get("Threshold"),
            statistic=p.get("Statistic"),
            description=p.get("AlarmDescription"),
            dimensions=p.get("Dimensions", []),
            alarm_actions=p.get("AlarmActions", []),
            metric_data_queries=[_query(q) for q in p["Metrics"]] if "Metrics" in p else None,
            datapoints_to_alarm=p.get("DatapointsToAlarm"),
            extended_statistic=p.get("ExtendedStatistic"),
            ok_actions=p.get("OKActions", []),
            insufficient_data_actions=p.get("InsufficientDataActions", []),
            unit=p.get("Unit"),
            actions_enabled=p.get("ActionsEnabled", True),
            treat_missing_data=p.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=p.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=p.get("ThresholdMetricId"),
            tags=p.get("Tags", []),
        )
        return cls(name, {"Arn": alarm.alarm_arn})

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_alarms([self.physical_resource_id])
