# The custom-model provider's documented Python example, verbatim (only API_BASE is replaced
# by the test that runs it). It must keep working against the embedded emulator.
import requests
import time
from concurrent.futures import ThreadPoolExecutor

API_BASE = 'https://api.mountsea.ai'
headers = {
    'Content-Type': 'application/json',
    'Authorization': 'Bearer your-api-key'
}

def poll_task(task_id):
    while True:
        res = requests.get(f'{API_BASE}/suno/v2/status', params={'taskId': task_id}, headers=headers)
        task = res.json()
        if task['status'] == 'success':
            return task['data']
        if task['status'] == 'failed':
            raise Exception(task.get('failReason', 'Unknown error'))
        time.sleep(3)

def upload_audio(session_id, audio_url):
    res = requests.post(f'{API_BASE}/suno/v2/customModel/upload', headers=headers, json={
        'sessionId': session_id,
        'audioUrl': audio_url
    })
    result = poll_task(res.json()['taskId'])
    return result['id']

# Step 1: Prepare
prepare_res = requests.post(f'{API_BASE}/suno/v2/customModel/prepare', headers=headers)
session_id = prepare_res.json()['sessionId']

# Step 2: Upload (parallel)
audio_urls = [f'https://example.com/song{i}.mp3' for i in range(1, 7)]
with ThreadPoolExecutor(max_workers=6) as executor:
    clip_ids = list(executor.map(lambda url: upload_audio(session_id, url), audio_urls))

# Step 3: Create
create_res = requests.post(f'{API_BASE}/suno/v2/customModel/create', headers=headers, json={
    'sessionId': session_id,
    'clipIds': clip_ids,
    'name': 'My Custom Model'
})
model = poll_task(create_res.json()['taskId'])
print(f"Custom model created: {model}")
