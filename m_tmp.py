import os, time, django, cProfile, pstats
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
django.setup()
from django.db import connection
from chat.models import Conversation, Message
from chat import services
from users.models import User
u,_ = User.objects.get_or_create(username="m-user")
conv = Conversation.objects.create(owner=u, title="x")
N=1000
def mk(): return Message.objects.create(conversation=conv, role="assistant", content="hello world", model="m", prompt_tokens=1, completion_tokens=2, timings={"a":1})
def mkconv(): return Conversation.objects.create(owner=u, title="t")
def touch(): Conversation.objects.filter(pk=conv.pk).update(updated_at=conv.updated_at)
for label, fn in [("message create", mk), ("conversation create", mkconv), ("conversation touch", touch)]:
    for _ in range(50): fn()
    a=time.process_time()
    for _ in range(N): fn()
    print(connection.vendor, label, f"{(time.process_time()-a)/N*1e6:.0f} us")
pr=cProfile.Profile(); pr.enable()
for _ in range(1000): mk()
pr.disable()
pstats.Stats(pr).sort_stats('tottime').print_stats(14)
