"""Give moto's server the same shape of world as ecs-sim's default one
(clusters default and prod, four capacity providers, 17 container
instances), so both answer the benchmarked reads with similar data."""
import json
import sys

import boto3

endpoint = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5599"
kw = dict(endpoint_url=endpoint, region_name="us-east-1",
          aws_access_key_id="AKID", aws_secret_access_key="secret")
ecs = boto3.client("ecs", **kw)
ec2 = boto3.client("ec2", **kw)
asg = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/x"

world = {"default": {"mi-general": 4, "mi-canary": 1}, "prod": {"mi-prod-a": 6, "mi-prod-b": 6}}
image = ec2.describe_images()["Images"][0]["ImageId"]
for cluster, providers in world.items():
    for name in providers:
        ecs.create_capacity_provider(name=name, autoScalingGroupProvider={"autoScalingGroupArn": asg})
    ecs.create_cluster(clusterName=cluster, capacityProviders=list(providers))
    for name, count in providers.items():
        for inst in ec2.run_instances(ImageId=image, MinCount=count, MaxCount=count)["Instances"]:
            doc = json.dumps({"instanceId": inst["InstanceId"]})
            ecs.register_container_instance(cluster=cluster, instanceIdentityDocument=doc)
print("moto world:", len(ecs.list_clusters()["clusterArns"]), "clusters,",
      len(ecs.list_container_instances(cluster="default")["containerInstanceArns"]), "instances in default")
