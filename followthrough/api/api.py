from ninja import NinjaAPI

api = NinjaAPI(title="Followthrough API", version="1", urls_namespace="api")
