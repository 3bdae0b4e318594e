# The course notes' client (模拟ssh远程执行命令), as in the notes except:
# the port is argv[1]; end of input ends it (no EOFError traceback);
# replies are decoded as UTF-8 (not gbk) and end with a 0x1e separator.
from socket import *
import struct
import json
import sys
phone = socket(AF_INET, SOCK_STREAM)
phone.connect(('127.0.0.1', int(sys.argv[1])))

while True:
    try:
        cmd = input(">>>>").strip()
    except EOFError:
        break
    if not cmd:
        continue
    phone.send(cmd.encode('utf-8'))

    dahler_len = struct.unpack('i', phone.recv(4))[0]  # 先接收报头长度
    dahler_bytes = phone.recv(dahler_len)  # 在接收bytes类型的字典
    dahler_str = dahler_bytes.decode('utf-8')
    dahler_dic = json.loads(dahler_str)

    total_size = dahler_dic['total_size']  # 接受的文件总大小

    recv_size = 0
    res = b''
    while recv_size < total_size:
        data = phone.recv(1024)
        res += data
        recv_size += len(data)
    print(res.decode('utf-8'), end='\x1e')
