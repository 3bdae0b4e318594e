# The course notes' server (模拟ssh远程执行命令), as in the notes except:
# the port is argv[1] (0 = any) and the bound port is printed first.
# Its bugs are kept on purpose: getsockopt for setsockopt, len(header_str),
# stdout.read() before stderr.read(), send instead of sendall, no wait().
import socket
import subprocess
import struct
import json
import sys

phone = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # 建立服务器
phone.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
phone.bind(('127.0.0.1', int(sys.argv[1])))  # 绑定IP,port

phone.listen(5)  # 监听状态
print(phone.getsockname()[1], flush=True)
while True:
    conn, client_addr = phone.accept()  # 接发数据

    while True:
        try:
            data = conn.recv(1024)  # 读收到的文件 最大限制为1024字节
            if len(data) == 0:
                break
            print(data)
            boj = subprocess.Popen(
                                    data.decode('utf-8'),
                                    shell=True,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            stdout_res = boj.stdout.read()
            stderr_res = boj.stderr.read()

            total_size = len(stderr_res)+len(stdout_res)
            haderl_dic = {
                'file': 'a.txt',
                'total_size': total_size,
                'hashlib': 'adasd1dfad311r'
                }
            haderl_str = json.dumps(haderl_dic)
            haderl_bytes = haderl_str.encode('utf-8')

            conn.send(struct.pack('i', len(haderl_str)))   # 先发报头长度
            conn.send(haderl_bytes)  # 再发报头字典
            conn.send(stderr_res)  # 在发内容
            conn.send(stdout_res)
        except ConnectionResetError as e:
            print(e)
            break

    conn.close()
